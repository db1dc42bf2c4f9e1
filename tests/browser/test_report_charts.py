"""A report chart's labels read whole, on screen and to a screen reader, and
at phone width the whole chart is in view, every bar at its full length."""

from pathlib import Path

import pytest
from django.conf import settings

from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build, incidents_import
from apps.sharing.services import share_link_create
from tests import factories
from tests.browser.conftest import log_in, wait_until
from tests.conftest import session_worker_idle
from tests.sharing.helpers import workflow_built

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded on two hosts that no system rule names, as a new organization's
# first upload is: its systems are "Unrecognised system (host)".
LAPTOP = Path(settings.BASE_DIR, "apps/recordings/samples/laptop-recovery-key.json")
# A run whose waiting is its longest line: "Waiting", 1 h 32 min.
VPN = Path(settings.BASE_DIR, "apps/recordings/samples/vpn-certificate-rotation.json")
HISTORY = Path(settings.BASE_DIR, "apps/reports/samples/servicenow-incident-log.csv")
WINDOW = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHARTS_DRAWN = "() => document.querySelectorAll('figure.chart svg text').length > 0"
# Each visible text and mark (bar, line or dot) of a chart that reaches past
# its chart's box, or past what the box the chart scrolls in shows before it
# is scrolled: the chart's name, the text or the mark's title, and by how
# many pixels.
OUT_OF_VIEW = """() => {
  const out = [];
  const shown = (node) => node.getClientRects().length > 0;
  for (const figure of document.querySelectorAll('figure.chart')) {
    const box = figure.getBoundingClientRect();
    const right = Math.min(box.left + figure.clientWidth, window.innerWidth);
    for (const svg of [...figure.querySelectorAll('svg')].filter(shown)) {
      const chart = svg.getBoundingClientRect();
      const parts = svg.querySelectorAll('text, rect, line, circle');
      for (const part of [...parts].filter(shown)) {
        const drawn = part.getBoundingClientRect();
        const past = Math.max(
          drawn.right - Math.min(chart.right, right),
          Math.max(chart.left, box.left) - drawn.left,
        );
        if (past > 0.5) {
          const name = part.tagName === 'text'
            ? part.textContent : part.querySelector('title').textContent;
          out.push([svg.getAttribute('aria-label'), name, Math.round(past)]);
        }
      }
    }
  }
  return out;
}"""
# Each label line drawn left of the bars, and how far it reaches past the
# chart's left edge or into the bars' column (215 of 640 units).
LABEL_LINES = """(svg) => {
  const box = svg.getBoundingClientRect();
  const barsStart = box.left + (215 / 640) * box.width;
  return [...svg.querySelectorAll('text[text-anchor="end"][x="209"]')].map((text) => {
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


def _out_of_view(page, path):
    page.goto(path)
    wait_until(page, CHARTS_DRAWN)
    return page.evaluate(OUT_OF_VIEW)


def test_charts_are_whole_in_view_at_phone_width(browser, live_server):
    organization, owner = factories.organization_with_owner(
        name="Acme IT", plan=factories.plan_with_incident_history()
    )
    workflow = workflow_built(organization, VPN)
    incidents_import(organization=organization, text=HISTORY.read_text("utf-8"))
    # Let a running worker build what the import queued: the history page
    # reloads itself while a build runs.
    session_worker_idle()
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    _link, token = share_link_create(
        membership=organization.memberships.get(user=owner),
        workflow=workflow,
        include_report=True,
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    log_in(context, owner, live_server)
    page = context.new_page()

    report = _out_of_view(page, f"{workflow.get_absolute_url()}#report")
    history = _out_of_view(page, "/incidents/")
    shared = _out_of_view(page, f"/s/{token}/")

    # Every text, and every bar at its full length, the longest one's
    # included, is read without scrolling the chart sideways.
    assert report == []
    assert history == []
    assert shared == []
    context.close()
