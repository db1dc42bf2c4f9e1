"""The incident history page in Chromium: its state map drawn under its CSP."""

import pytest

from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build
from tests import factories
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import log_in
from tests.reports.factories import incident_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = browser_fixtures.browser
context = browser_fixtures.context
page = browser_fixtures.page


def test_incident_history_page_draws_its_state_map(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    incident_create(organization=organization, number="INC0000001")
    incident_create(organization=organization, number="INC0000002")
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    log_in(context, owner, live_server)

    page.goto(f"{live_server.url}/incidents/")
    drawn = page.locator("section.report pre[data-mermaid] svg")
    drawn.wait_for(timeout=30_000)

    labels = " ".join(" ".join(drawn.locator("text").all_text_contents()).split())
    for label in ("New (2×)", "Active (2×)", "Resolved (2×)", "2× · 1 h", "2× · 2 h"):
        assert label in labels
    assert page.console_errors == []
