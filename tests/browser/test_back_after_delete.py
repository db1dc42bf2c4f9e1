"""Back after deleting something asks the server again: in Chromium."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.sharing.helpers import workflow_in
from tests.workflows.conftest import import_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _delete_and_go_back(page, url, button, said):
    # The browser has the site's cookies by then, as anyone who came from
    # another page does: a stored page asked for with other cookies than it
    # was stored with would be asked for again anyway.
    page.goto("/dashboard/")
    page.goto(url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=button).click()
    page.get_by_text(said).wait_for()
    page.go_back()


def test_back_after_deleting_a_workflow_shows_it_is_gone(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_in(organization)
    log_in(context, owner, live_server)

    _delete_and_go_back(
        page, workflow.get_absolute_url(), "Delete workflow", "Workflow deleted."
    )

    assert page.locator("h1").inner_text() == "Not found"
    assert page.get_by_role("button", name="Delete workflow").count() == 0


def test_back_after_deleting_a_recording_shows_it_is_gone(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = import_sample(organization)
    log_in(context, owner, live_server)

    _delete_and_go_back(
        page,
        f"/recordings/{recording.pk}/",
        "Delete recording",
        "The recording and its events were deleted.",
    )

    assert page.locator("h1").inner_text() == "Not found"
    assert page.get_by_role("button", name="Delete recording").count() == 0
