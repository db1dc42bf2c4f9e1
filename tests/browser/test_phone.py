"""At phone width: no page scrolls sideways, and charts and the map stay legible."""

import pytest

from apps.recordings.models import Recording
from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build
from apps.sharing.services import share_link_create
from tests import factories
from tests.browser.conftest import log_in
from tests.reports.factories import incident_create
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SMALLEST_CHART_TEXT_PX = 11
SMALLEST_MAP_LABEL_PX = 12
PAGES = (
    "/",
    "/pricing/",
    "/dashboard/",
    "/recordings/{recording}/",
    "{workflow}#sop",
    "{workflow}#map",
    "{workflow}#report",
    "{workflow}#edit",
    "{workflow}versions/",
    "/settings/plan/",
    "/settings/members/",
    "/settings/tokens/",
    "/settings/share-links/",
    "/incidents/",
    "/search/?q=printer",
    "/s/{token}/",
)
# The rendered size of each visible chart text: its font size times the
# scale the SVG is drawn at.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('figure.chart svg text')]
  .filter((text) => text.getClientRects().length)
  .map((text) => parseFloat(getComputedStyle(text).fontSize)
    * text.getScreenCTM().a)"""
MAP_LABEL_SIZES = """() => [...document.querySelectorAll(
    '[data-map-viewport] svg g.node:not(.lane) text')]
  .map((text) => parseFloat(getComputedStyle(text).fontSize)
    * text.getScreenCTM().a)"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(30000)
    yield context
    context.close()


@pytest.fixture
def paths(phone, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization)
    incident_create(organization=organization, number="INC0000001")
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    _link, token = share_link_create(
        membership=organization.memberships.get(user=owner),
        workflow=workflow,
        include_report=True,
    )
    recording = Recording.objects.filter(organization=organization).first()
    log_in(phone, owner, live_server)
    return [
        path.format(
            workflow=workflow.get_absolute_url(), recording=recording.pk, token=token
        )
        for path in PAGES
    ]


def _open(page, path):
    response = page.goto(path)
    # Moving to another tab of the same page changes only the fragment.
    assert response is None or response.status == 200, f"{path} failed"
    page.wait_for_load_state("networkidle")
    if path.endswith("#map") or path.startswith("/s/"):
        page.locator("[data-map-viewport][data-zoom]").wait_for()


def test_no_main_page_scrolls_sideways_and_charts_stay_legible(phone, paths):
    page = phone.new_page()
    overflowing, small_text, chart_pages = [], [], 0

    for path in paths:
        _open(page, path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        if overflow > 0:
            overflowing.append(f"{path} by {overflow}px")
        sizes = page.evaluate(CHART_TEXT_SIZES)
        chart_pages += bool(sizes)
        if sizes and min(sizes) < SMALLEST_CHART_TEXT_PX:
            small_text.append(f"{path}: {min(sizes):.1f}px")

    assert overflowing == []
    assert small_text == []
    # The report tab, the incident history and the shared report draw charts.
    assert chart_pages >= 3


def test_map_starts_with_legible_labels_at_phone_width(phone, paths):
    page = phone.new_page()
    for path in (paths[PAGES.index("{workflow}#map")], paths[-1]):
        _open(page, path)

        sizes = page.evaluate(MAP_LABEL_SIZES)
        viewport = page.locator("[data-map-viewport]")
        scrolls = viewport.evaluate("node => node.scrollWidth > node.clientWidth")

        assert min(sizes) >= SMALLEST_MAP_LABEL_PX, path
        assert scrolls, f"{path}: a map too wide for a phone pans inside its box"
        assert page.get_by_role("button", name="Fit to width").is_visible()


def test_header_is_one_line_with_a_menu_the_keyboard_opens(phone, paths):
    page = phone.new_page()
    page.goto("/dashboard/")
    header = page.locator(".site-header")
    menu = page.locator(".site-menu > summary")
    settings_link = page.get_by_role("link", name="Settings")

    height = header.bounding_box()["height"]
    hidden_before = not settings_link.is_visible()
    for _skip_link_brand_and_menu in range(3):
        page.keyboard.press("Tab")
    outline = menu.evaluate("node => getComputedStyle(node).outlineStyle")
    page.keyboard.press("Enter")

    assert height < 64
    assert hidden_before
    assert outline == "solid"
    assert settings_link.is_visible()
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_header_shows_its_links_without_a_menu_on_a_desktop(context, live_server):
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page = context.new_page()
    page.goto("/dashboard/")

    assert page.get_by_role("link", name="Settings").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()
