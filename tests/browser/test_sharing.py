"""Share an SOP, open it logged out, revoke it: in Chromium."""

import pytest

from apps.sharing.models import ShareLink
from apps.sharing.services import share_link_create
from tests import factories
from tests.browser.conftest import axe, log_in, secret_field_widths, shoot
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
IN_VIEW = """(node) => {
  const box = node.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def test_shared_sop_opens_logged_out_until_revoked(browser, context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization)
    log_in(context, owner, live_server)

    page.goto(f"/share-links/new/?workflow={workflow.pk}")
    assert axe(page) == []
    shoot(page, "share-new")
    page.get_by_label("Label").fill("for the vendor")
    page.get_by_label("Include the workflow intelligence report").check()
    page.get_by_role("button", name="Create link").click()
    url = page.input_value("#share-url")
    widths = secret_field_widths(page)
    # The address spans the card, uncut; the Copy button keeps its own size.
    assert widths["field"] == widths["card"]
    assert widths["button"] < 120
    shoot(page, "share-created")
    # A refresh neither makes a second link nor shows this one's address again.
    page.reload()
    page.get_by_text("A share link’s address is shown only once").wait_for()
    assert url not in page.content()
    assert ShareLink.objects.count() == 1

    visitor = browser.new_context(base_url=live_server.url)
    shared = visitor.new_page()
    response = shared.goto(url)
    assert response.headers["cache-control"].startswith("no-store")
    assert "noindex" in response.headers["x-robots-tag"]
    shared.get_by_role("heading", name=workflow.title, exact=True).wait_for()
    shared.locator('[data-map-viewport][data-drawn="true"] svg').wait_for()
    # A map wider than the page starts fitted to its width.
    shared.get_by_role("button", name="Actual size").click()
    shared.get_by_role("button", name="Zoom in").click()
    assert shared.locator("[data-map-level]").inner_text() == "125%"
    assert (
        shared.locator("[data-map-help]")
        .inner_text()
        .startswith("In the map: + and − zoom")
    )
    shared.get_by_role("heading", name="Workflow intelligence report").wait_for()
    # No way into the app: its only lists of links are of its own sections.
    assert [
        nav.get_attribute("aria-label")
        for nav in shared.get_by_role("navigation").all()
    ] == ["On this page", "In this report"]
    assert axe(shared) == []
    assert shoot(shared, "shared-sop") <= 0

    page.goto("/settings/share-links/")
    assert axe(page) == []
    shoot(page, "share-links")
    assert "for the vendor" in page.locator("[data-share-link]").inner_text()
    questions = []
    page.once(
        "dialog", lambda dialog: questions.append(dialog.message) or dialog.accept()
    )
    page.get_by_role("button", name="Revoke", exact=True).click()
    page.get_by_text("The link was revoked").wait_for()
    assert questions == ["Revoke this share link? It stops opening at once."]

    gone = shared.reload()
    assert gone.status == 404
    shared.get_by_role("heading", name="This link does not open anything").wait_for()
    shoot(shared, "shared-gone")
    assert ShareLink.objects.get().view_count == 1
    visitor.close()


def test_password_protected_link_opens_in_the_browser_with_its_password(
    browser, live_server
):
    from apps.sharing.services import share_link_create

    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization)
    _link, raw = share_link_create(
        membership=organization.memberships.get(user=owner),
        workflow=workflow,
        password="open sesame 42",
    )
    visitor = browser.new_context(base_url=live_server.url)
    page = visitor.new_page()

    page.goto(f"/s/{raw}/")
    page.get_by_label("Password").fill("open sesame 42")
    page.get_by_role("button", name="Open").click()

    page.get_by_role("heading", name=workflow.title, exact=True).wait_for()
    visitor.close()


def test_shared_page_lists_its_sections_first_on_a_phone(browser, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization)
    _link, token = share_link_create(
        membership=organization.memberships.get(user=owner),
        workflow=workflow,
        include_report=True,
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.goto(f"/s/{token}/")
    page.locator('[data-map-viewport][data-drawn="true"] svg').wait_for()

    contents = page.get_by_role("navigation", name="On this page")
    top = contents.bounding_box()["y"]
    violations = axe(page)
    contents.get_by_role("link", name="Workflow intelligence report").click()
    heading = page.get_by_role("heading", name="Workflow intelligence report")

    # In the first screenful, where a phone opens the page.
    assert top < PHONE["height"] / 2
    assert violations == []
    assert heading.evaluate(IN_VIEW)
    context.close()
