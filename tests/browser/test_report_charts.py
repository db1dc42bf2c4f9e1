"""A report chart's labels read whole, on screen and to a screen reader."""

from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.browser.conftest import log_in
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded on two hosts that no system rule names, as a new organization's
# first upload is: its systems are "Unrecognised system (host)".
LAPTOP = Path(settings.BASE_DIR, "apps/recordings/samples/laptop-recovery-key.json")
WINDOW = {"width": 1280, "height": 800}
# Each label line drawn left of the bars, and how far it reaches past the
# chart's left edge or into the bars' column (215 of 640 units).
LABEL_LINES = """(svg) => {
  const box = svg.getBoundingClientRect();
  const barsStart = box.left + (215 / 640) * box.width;
  return [...svg.querySelectorAll('text[text-anchor="end"]')].map((text) => {
    const line = text.getBoundingClientRect();
    return [text.textContent, line.left >= box.left, line.right <= barsStart];
  });
}"""


def _descriptions(page):
    """Return {name: description} of the images in Chromium's accessibility tree.

    Read from the browser itself: Playwright's own computation of a
    description does not read an SVG's ``desc``, which Chromium does.
    """
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    return {
        node["name"]["value"]: node.get("description", {}).get("value", "")
        for node in nodes
        if node.get("role", {}).get("value") == "image" and "name" in node
    }


def test_time_per_system_chart_shows_and_says_whole_system_names(browser, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = workflow_built(organization, LAPTOP)
    context = browser.new_context(base_url=live_server.url, viewport=WINDOW)
    log_in(context, owner, live_server)
    page = context.new_page()
    page.goto(f"{workflow.get_absolute_url()}#report")

    chart = page.get_by_role("img", name="Time per system", exact=True)
    lines = chart.evaluate(LABEL_LINES)
    described = _descriptions(page)

    # What Chromium gives a screen reader: the chart's description names
    # each system whole, with its time.
    assert described["Time per system"].startswith(
        "Unrecognised system (admin.example.net): 2 min 32 s; "
        "Unrecognised system (itsm.example.com): 1 min 10 s"
    )
    assert lines[:4] == [
        ["Unrecognised system", True, True],
        ["(admin.example.net)", True, True],
        ["Unrecognised system", True, True],
        ["(itsm.example.com)", True, True],
    ]
    assert "…" not in "".join(line[0] for line in lines)
    context.close()
