"""The incident history page in Chromium: its state map drawn under its CSP,
and the page as wide as a phone's screen however wide the map."""

import pytest
from django.conf import settings

from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build, incidents_import
from tests import factories
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import log_in, wait_until
from tests.conftest import session_worker_idle
from tests.reports.factories import incident_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = browser_fixtures.browser
context = browser_fixtures.context
page = browser_fixtures.page

PHONE_WIDTH = {"width": 390, "height": 844}
DESKTOP_WIDTH = {"width": 1280, "height": 800}
EXPORT = (
    settings.BASE_DIR / "apps" / "reports" / "samples" / "servicenow-incident-log.csv"
)
MAP_DRAWN = "() => document.querySelector('[data-map-viewport][data-zoom]') !== null"
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
MAP_SCROLLS = "node => node.scrollWidth > node.clientWidth"
# Each report table's box against the width of its rows, and each chart's
# edge shadow (data-overflow) against whether it scrolls at all.
REPORT_BOXES = """() => ({
  slabs: [...document.querySelectorAll('.report table')]
    .filter((t) => t.getBoundingClientRect().width > t.rows[0].getBoundingClientRect().width + 1)
    .map((t) => t.rows[0].textContent.trim().slice(0, 40)),
  fades: [...document.querySelectorAll('figure.chart')]
    .filter((f) => f.hasAttribute('data-overflow') !== f.scrollWidth > f.clientWidth)
    .map((f) => f.querySelector('svg').getAttribute('aria-label')),
  scrolling: document.querySelectorAll('figure.chart[data-overflow]').length,
})"""
NARROW_CHARTS_SHOWN = """() => [...document.querySelectorAll('figure.chart svg')]
  .every((svg) => svg.classList.contains('chart-narrow')
    === svg.getClientRects().length > 0)"""


def _open_history(page, live_server, viewport):
    """Open the incident history at ``viewport`` once its state map is drawn."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/incidents/")
    wait_until(page, MAP_DRAWN, timeout=30)


def _history_of_two(context, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    incident_create(organization=organization, number="INC0000001")
    incident_create(organization=organization, number="INC0000002")
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    log_in(context, owner, live_server)


def test_incident_history_page_draws_its_state_map(context, page, live_server):
    _history_of_two(context, live_server)

    page.goto(f"{live_server.url}/incidents/")
    drawn = page.locator("section.report pre[data-mermaid] svg")
    drawn.wait_for(timeout=30_000)

    labels = " ".join(" ".join(drawn.locator("text").all_text_contents()).split())
    for label in ("New (2×)", "Active (2×)", "Resolved (2×)", "2× · 1 h", "2× · 2 h"):
        assert label in labels
    assert page.console_errors == []


def test_incident_history_map_gives_one_hint_for_the_screen_it_is_on(
    context, page, live_server
):
    _history_of_two(context, live_server)
    page.goto(f"{live_server.url}/incidents/")
    wait_until(page, MAP_DRAWN, timeout=30)
    hint = page.locator("[data-map-help]")

    desktop = hint.inner_text()
    page.set_viewport_size(PHONE_WIDTH)
    phone = hint.inner_text()

    # Keys to a keyboard's width, pinching to a phone's: never both at once.
    assert desktop == (
        "In the map: + and − zoom, 0 shows the actual size, the arrow keys "
        "scroll; drag to move around a large map."
    )
    assert phone == "Pinch or use the buttons to zoom; drag to move."


@pytest.fixture
def imported_history(context, live_server):
    organization, owner = factories.organization_with_owner(
        name="Acme IT", plan=factories.plan_with_incident_history()
    )
    incidents_import(organization=organization, text=EXPORT.read_text("utf-8"))
    # A worker left running by earlier tests would build the report the
    # import queued while the page is open, and the page reloads itself
    # every few seconds while a build runs: let it finish first.
    session_worker_idle()
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    log_in(context, owner, live_server)


# Each table folded on a phone: whether it is open, and whether its summary
# (what opens it) shows.
FOLDS = """() => [...document.querySelectorAll('details[data-fold-narrow]')]
  .map((details) => [details.open,
                     details.querySelector('summary').getClientRects().length > 0])"""
IN_VIEW = """(node) => {
  const box = node.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def test_incident_history_folds_repeated_tables_and_jumps_on_a_phone(
    imported_history, page, live_server
):
    # The state map, drawn once the page has loaded, moves what follows it.
    _open_history(page, live_server, PHONE_WIDTH)

    phone = page.evaluate(FOLDS)
    violations = browser_fixtures.axe(page)
    page.get_by_text("The hand-offs as a table", exact=True).click()
    opened = page.get_by_role("columnheader", name="Median hand-off wait").count()
    page.get_by_role("link", name="Incident history report").click()
    page.get_by_role("navigation", name="In this report").get_by_role(
        "link", name="Findings"
    ).click()
    findings = page.get_by_role("heading", name="Findings", exact=True)
    jumped = findings.evaluate(IN_VIEW)
    page.set_viewport_size(DESKTOP_WIDTH)
    wait_until(page, "() => document.querySelector('details[data-fold-narrow]').open")
    desktop = page.evaluate(FOLDS)

    # Five tables repeat a chart (or the map) beside them: on a phone each
    # is folded under a summary that opens it; on a desktop each is open.
    assert phone == [[False, True]] * 5
    assert violations == []
    assert opened == 1
    assert jumped
    assert desktop == [[True, False]] * 5


def test_incident_history_never_scrolls_sideways_at_phone_width(
    imported_history, page, live_server
):
    _open_history(page, live_server, PHONE_WIDTH)

    # The whole history's state map is far wider than a phone: it pans
    # inside its own box, and the page stays as wide as the screen.
    assert page.locator("[data-map-viewport]").evaluate(MAP_SCROLLS)
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    assert page.console_errors == []


def test_report_tables_and_charts_fit_their_boxes(context, page, live_server):
    _history_of_two(context, live_server)

    page.goto(f"{live_server.url}/incidents/")
    wait_until(page, MAP_DRAWN, timeout=30)

    desktop = page.evaluate(REPORT_BOXES)
    page.set_viewport_size(PHONE_WIDTH)
    wait_until(page, NARROW_CHARTS_SHOWN)
    phone = page.evaluate(REPORT_BOXES)

    # No table is wider than its rows and no chart scrolls, so none shows an
    # edge shadow: on a phone each chart is drawn in its narrow layout.
    assert desktop == {"slabs": [], "fades": [], "scrolling": 0}
    assert phone["fades"] == []
    assert phone["scrolling"] == 0


# Every state of the incident history's map, in the window's pixels, against
# what the map's box shows.
STATES = """() => {
  const viewport = document.querySelector('[data-map-viewport]');
  const outer = viewport.getBoundingClientRect();
  const left = outer.left + viewport.clientLeft;
  const top = outer.top + viewport.clientTop;
  const nodes = [...viewport.querySelectorAll('svg g.node')];
  return {
    states: nodes.map((node) => {
      const box = node.getBoundingClientRect();
      return [box.left, box.top, box.right, box.bottom];
    }),
    visible: [left, top, left + viewport.clientWidth, top + viewport.clientHeight],
    hidden: viewport.scrollWidth - viewport.clientWidth,
    font: parseFloat(getComputedStyle(viewport.querySelector('g.node text')).fontSize),
  };
}"""


def test_incident_history_map_starts_whole_in_its_box(
    imported_history, page, live_server
):
    _open_history(page, live_server, DESKTOP_WIDTH)

    boxes = page.evaluate(STATES)
    zoom = float(page.locator("[data-map-viewport]").get_attribute("data-zoom"))

    # Every state, the last one drawn included, is inside the box: none is
    # off to its right, and the box does not scroll sideways.
    left, top, right, bottom = boxes["visible"]
    states = boxes["states"]
    assert len(states) == 8
    assert left <= min(state[0] for state in states), boxes
    assert top <= min(state[1] for state in states), boxes
    assert max(state[2] for state in states) <= right, boxes
    assert max(state[3] for state in states) <= bottom, boxes
    assert boxes["hidden"] <= 0
    # Its labels stay legible, 10 px or more, and the buttons zoom it in.
    assert boxes["font"] * zoom >= 10
    assert page.get_by_role("button", name="Zoom in").is_visible()
    assert page.console_errors == []


MAP_SETTLED = """() => {
  const viewport = document.querySelector('[data-map-viewport]');
  return viewport.dataset.mapWidth === String(viewport.clientWidth);
}"""


def test_incident_history_map_fits_a_narrowed_window_as_if_opened_in_it(
    imported_history, page, live_server
):
    _open_history(page, live_server, DESKTOP_WIDTH)
    viewport = page.locator("[data-map-viewport]")
    wide = viewport.get_attribute("data-zoom")

    page.set_viewport_size({"width": 900, "height": 800})
    wait_until(page, MAP_SETTLED)
    narrowed = viewport.get_attribute("data-zoom")
    page.reload()
    wait_until(page, MAP_DRAWN, timeout=30)

    assert narrowed == viewport.get_attribute("data-zoom") != wide
    assert page.console_errors == []
