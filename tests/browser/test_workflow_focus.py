"""A panel that script gives focus to draws no frame: in Chromium."""

import pytest

from tests import factories
from tests.browser.conftest import log_in, wait_until
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANEL_OUTLINE = """() => {
  const panel = document.querySelector('.tab-panel:not([hidden])');
  return [panel.id, document.activeElement === panel,
          getComputedStyle(panel).outlineStyle];
}"""


def test_panel_focused_by_script_draws_no_frame(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization)
    log_in(context, owner, live_server)
    page.goto(f"{workflow.get_absolute_url()}#map")

    page.keyboard.press("Tab")
    page.locator('.tabs a[href="#report"]').focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'report'")
    by_keyboard = page.evaluate(PANEL_OUTLINE)
    page.locator('.tabs a[href="#sop"]').click()
    wait_until(page, "document.activeElement.id === 'sop'")

    assert by_keyboard == ["report", True, "none"]
    assert page.evaluate(PANEL_OUTLINE) == ["sop", True, "none"]
    assert page.console_errors == []
