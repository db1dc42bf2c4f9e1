"""A process map starts whole in a desktop window: in Chromium."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.browser.conftest import log_in
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The mail queue backlog's Close lane is the longest of the samples': at the
# legible minimum it ran past the bottom of a box 78% of the window high.
MAIL_QUEUE = Path(settings.BASE_DIR, "apps/recordings/samples/mail-queue-backlog.json")
WINDOW = {"width": 1280, "height": 800}
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


def _map_page(browser, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization, MAIL_QUEUE)
    context = browser.new_context(base_url=live_server.url, viewport=WINDOW)
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
