"""A process map starts whole in a desktop window, and fits a resized one again:
in Chromium."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.browser.conftest import log_in, wait_until
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The mail queue backlog's Close lane is the longest of the samples': at the
# legible minimum it ran past the bottom of a box 78% of the window high.
MAIL_QUEUE = Path(settings.BASE_DIR, "apps/recordings/samples/mail-queue-backlog.json")
WINDOW = {"width": 1280, "height": 800}
# Too narrow for the map whole at legible size: it starts panning in its box.
NARROW = {"width": 1000, "height": 800}
LANES = re.compile(r"^%% lanes (?:s\d+-s\d+ )*s(\d+)-s(\d+)$", re.MULTILINE)
# The box of the last lane (its heading and its steps) and of what the map's
# viewport shows, in the window's pixels.
BOXES = """([first, last]) => {
  const viewport = document.querySelector('[data-map-viewport]');
  const number = (node, kind) => {
    const found = new RegExp(`-flowchart-${kind}(\\\\d+)-\\\\d+$`).exec(node.id);
    return found ? Number(found[1]) : null;
  };
  const nodes = [...viewport.querySelectorAll('svg g.node')];
  const heads = nodes.filter((node) => number(node, 'p') !== null);
  const head = heads.reduce((a, b) => (number(b, 'p') > number(a, 'p') ? b : a));
  const steps = nodes.filter((node) => {
    const step = number(node, 's');
    return step !== null && first <= step && step <= last;
  });
  const boxes = [head, ...steps].map((node) => node.getBoundingClientRect());
  const outer = viewport.getBoundingClientRect();
  const left = outer.left + viewport.clientLeft;
  const top = outer.top + viewport.clientTop;
  return {
    steps: steps.length,
    lane: [
      Math.min(...boxes.map((box) => box.left)),
      Math.min(...boxes.map((box) => box.top)),
      Math.max(...boxes.map((box) => box.right)),
      Math.max(...boxes.map((box) => box.bottom)),
    ],
    visible: [left, top, left + viewport.clientWidth, top + viewport.clientHeight],
    hidden: [
      viewport.scrollWidth - viewport.clientWidth,
      viewport.scrollHeight - viewport.clientHeight,
    ],
    page: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def _map_page(browser, live_server, window=WINDOW):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization, MAIL_QUEUE)
    context = browser.new_context(base_url=live_server.url, viewport=window)
    context.set_default_timeout(30000)
    log_in(context, owner, live_server)
    page = context.new_page()
    page.goto(f"{workflow.get_absolute_url()}#map")
    page.locator("[data-map-viewport][data-zoom]").wait_for()
    first, last = LANES.search(workflow.current_version.mermaid).groups()
    return context, page, (int(first), int(last))


def test_map_starts_with_its_last_lane_whole_in_view(browser, live_server):
    context, page, lane = _map_page(browser, live_server)

    boxes = page.evaluate(BOXES, lane)
    zoom = float(page.locator("[data-map-viewport]").get_attribute("data-zoom"))

    left, top, right, bottom = boxes["visible"]
    lane_left, lane_top, lane_right, lane_bottom = boxes["lane"]
    assert boxes["steps"] == lane[1] - lane[0] + 1
    assert left <= lane_left and lane_right <= right, boxes
    assert top <= lane_top and lane_bottom <= bottom, boxes
    # Nothing of the map is hidden in its box, and the box is in the window.
    assert boxes["hidden"] == [0, 0]
    assert 0 <= left and right <= WINDOW["width"] and boxes["page"] <= 0
    # Mermaid draws labels at 16 px: they start at 12 px or more.
    assert 16 * zoom >= 12
    context.close()


def test_map_zoomed_in_scrolls_inside_the_box_it_started_in(browser, live_server):
    context, page, _lane = _map_page(browser, live_server)
    viewport = page.locator("[data-map-viewport]")
    started = viewport.evaluate("node => node.clientHeight")

    page.get_by_role("button", name="Zoom in").click()
    sizes = viewport.evaluate(
        "node => [node.clientHeight, node.scrollHeight, node.scrollWidth,"
        " node.clientWidth]"
    )
    page.get_by_role("button", name="Fit to width").click()
    fitted = viewport.evaluate("node => node.scrollHeight - node.clientHeight")

    assert sizes[0] == started
    assert sizes[1] > sizes[0] and sizes[2] > sizes[3]
    assert fitted == 0
    context.close()


# The view of the map: its zoom, how much of it is hidden sideways, and
# whether the width it was last fitted to is its box's.
VIEW = """() => {
  const viewport = document.querySelector('[data-map-viewport]');
  return {
    zoom: viewport.dataset.zoom,
    hiddenWidth: viewport.scrollWidth - viewport.clientWidth,
    settled: viewport.dataset.mapWidth === String(viewport.clientWidth),
  };
}"""
SETTLED = f"({VIEW})().settled"


def _resize(page, window):
    """Resize the window and wait until the map has settled at its new width."""
    page.set_viewport_size(window)
    wait_until(page, SETTLED)
    return page.evaluate(VIEW)


def test_map_fits_a_resized_window_as_it_would_have_started_in_it(browser, live_server):
    context, page, lane = _map_page(browser, live_server)
    wide = page.evaluate(VIEW)

    narrowed = _resize(page, NARROW)
    widened = _resize(page, WINDOW)
    boxes = page.evaluate(BOXES, lane)
    context.close()
    context, page, _lane = _map_page(browser, live_server, NARROW)
    narrow = page.evaluate(VIEW)

    assert narrowed["zoom"] == narrow["zoom"] != wide["zoom"]
    assert narrowed["hiddenWidth"] > 0
    assert widened == wide
    # Whole again, as it started: the last lane in view, nothing hidden.
    assert boxes["hidden"] == [0, 0]
    assert boxes["visible"][3] >= boxes["lane"][3]
    context.close()


def _wheel_sideways(page):
    viewport = page.locator("[data-map-viewport]")
    box = viewport.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(200, 0)
    wait_until(page, "document.querySelector('[data-map-viewport]').scrollLeft > 0")


@pytest.mark.parametrize(
    "by_hand",
    [
        lambda page: page.get_by_role("button", name="Zoom in").click(),
        _wheel_sideways,
    ],
    ids=["zoomed", "scrolled"],
)
def test_map_zoomed_or_moved_by_hand_keeps_its_view_in_a_resized_window(
    browser, live_server, by_hand
):
    context, page, _lane = _map_page(browser, live_server, NARROW)

    by_hand(page)
    chosen = page.evaluate(VIEW)
    resized = _resize(page, WINDOW)

    # Started in the wider window, the map would be whole, at another zoom.
    assert resized["zoom"] == chosen["zoom"]
    context.close()


def test_map_fitted_to_width_by_hand_fits_a_resized_window_again(browser, live_server):
    context, page, _lane = _map_page(browser, live_server, NARROW)
    page.get_by_role("button", name="Zoom in").click()

    page.get_by_role("button", name="Fit to width").click()
    fitted = page.evaluate(VIEW)
    resized = _resize(page, WINDOW)

    assert fitted["hiddenWidth"] == 0
    assert resized["hiddenWidth"] == 0
    assert float(resized["zoom"]) > float(fitted["zoom"])
    context.close()


def test_map_shown_again_after_a_resize_fits_the_new_width(browser, live_server):
    context, page, _lane = _map_page(browser, live_server, NARROW)
    narrow = page.evaluate(VIEW)

    page.get_by_role("link", name="SOP", exact=True).click()
    page.set_viewport_size(WINDOW)
    hidden = page.evaluate(VIEW)
    page.get_by_role("link", name="Process map").click()
    wait_until(page, SETTLED)
    shown = page.evaluate(VIEW)
    context.close()
    context, page, _lane = _map_page(browser, live_server)
    wide = page.evaluate(VIEW)

    assert hidden["zoom"] == narrow["zoom"]
    assert shown["zoom"] == wide["zoom"] != narrow["zoom"]
    assert shown["hiddenWidth"] == 0
    context.close()
