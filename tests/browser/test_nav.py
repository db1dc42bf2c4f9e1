"""A page under a section shows that section's link as current: in Chromium."""

import pytest

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.sharing.helpers import workflow_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How the top bar draws a link: what app.css changes for the current one.
LOOK = """node => {
  const style = getComputedStyle(node);
  return [style.fontWeight, style.textDecorationThickness];
}"""


def _looks(page):
    nav = page.get_by_role("navigation", name="Main")
    workflows = nav.get_by_role("link", name="Workflows", exact=True)
    dashboard = nav.get_by_role("link", name="Dashboard", exact=True)
    return workflows, workflows.evaluate(LOOK), dashboard.evaluate(LOOK)


def test_workflows_shows_as_current_on_a_workflows_versions(context, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_in(organization)
    log_in(context, owner, live_server)
    page = context.new_page()
    page.goto(f"/workflows/{workflow.pk}/versions/")

    page.set_viewport_size(DESKTOP)
    desktop_link, desktop, plain = _looks(page)
    desktop_shown = desktop_link.is_visible()
    page.set_viewport_size(PHONE)
    folded = desktop_link.is_visible()
    page.get_by_text("Menu", exact=True).click()
    phone_link, phone, phone_plain = _looks(page)

    assert desktop_link.get_attribute("aria-current") == "true"
    assert desktop_shown and desktop != plain
    assert not folded
    assert phone_link.is_visible() and phone == desktop and phone_plain == plain
