"""An open dashboard shows a workflow started elsewhere: in Chromium."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.sharing.helpers import workflow_built, workflow_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_idle_dashboard_shows_a_workflow_started_elsewhere(
    context, page, live_server
):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow_in(organization, title="Printer queue stuck")
    log_in(context, owner, live_server)
    page.clock.install()
    page.goto("/dashboard/")
    items = page.locator('[data-item^="workflow:"]')
    assert items.count() == 1

    # Recorded meanwhile with the extension, or uploaded in another tab.
    workflow_in(organization, title="Mail queue backlog")
    with page.expect_navigation():
        # The idle look, then the short pause before the page shows it.
        page.clock.run_for(20_000)
        page.clock.run_for(1_000)

    assert items.count() == 2
    assert items.filter(has_text="Mail queue backlog").is_visible()


def test_a_recording_page_does_not_look_for_new_workflows(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = workflow_built(organization).runs.get().recording
    log_in(context, owner, live_server)
    page.clock.install()
    page.goto(f"/recordings/{recording.pk}/")
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    page.clock.run_for(60_000)

    assert not [url for url in asked if "/status/" in url]
