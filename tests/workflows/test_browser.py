"""The workflow page in Chromium: the map drawn by the vendored Mermaid."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from apps.workflows import selectors, services
from tests import factories
from tests.workflows.conftest import import_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API keeps an event loop in this thread; the ORM calls
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(settings.BASE_DIR) / "tests" / "artifacts"


@pytest.fixture
def chromium(playwright):
    browser = playwright.chromium.launch(
        executable_path=settings.CHROMIUM_PATH,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


def _workflow_page(chromium, live_server, **context_options):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = import_sample(organization)
    workflow = services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    client = Client()
    client.force_login(owner)
    context = chromium.new_context(base_url=live_server.url, **context_options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"/workflows/{workflow.pk}/#map")
    page.locator("pre[data-mermaid] svg").wait_for(timeout=30_000)
    return context, page, errors


def test_workflow_page_shows_one_section_at_a_time(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)
    panels = page.locator(".tab-panel")

    def shown():
        return [
            panels.nth(i).get_attribute("id")
            for i in range(panels.count())
            if panels.nth(i).is_visible()
        ]

    assert shown() == ["map"]
    assert page.get_by_role("link", name="Process map").get_attribute("aria-current")
    page.get_by_role("link", name="Report", exact=True).click()
    assert shown() == ["report"]
    page.goto(page.url.split("#")[0] + "#step-2")
    assert shown() == ["sop"]
    assert page.locator("#step-2").is_visible()
    assert page.get_by_role("link", name="SOP", exact=True).get_attribute(
        "aria-current"
    )
    assert errors == []
    context.close()


def _map_width(page):
    return float(page.locator("pre[data-mermaid] svg").get_attribute("width"))


def test_workflow_page_draws_the_map_without_breaking_the_csp(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)

    text = re.sub(r"\s+", "", page.locator("pre[data-mermaid]").inner_text())
    assert "SetPriority" in text
    assert "Grafana·21s" in text
    assert page.locator("pre[data-mermaid] svg foreignObject").count() == 0
    assert errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "workflow-detail.png", full_page=False)
    context.close()


def test_workflow_map_shows_lanes_in_phase_order_with_a_common_top_row(
    chromium, live_server
):
    context, page, _errors = _workflow_page(chromium, live_server)

    lanes = page.eval_on_selector_all(
        "pre[data-mermaid] svg g.node.lane",
        """nodes => nodes.map(node => {
          const box = node.getBoundingClientRect();
          return [node.textContent.trim(), box.left, box.top];
        })""",
    )
    label = page.eval_on_selector(
        "pre[data-mermaid] svg g.node:not(.lane) text",
        "node => parseFloat(getComputedStyle(node).fontSize)",
    )
    body = page.eval_on_selector(
        "body", "node => parseFloat(getComputedStyle(node).fontSize)"
    )

    assert [name for name, _left, _top in lanes] == [
        "Log",
        "Triage",
        "Investigate",
        "Resolve",
        "Close",
    ]
    lefts = [left for _name, left, _top in lanes]
    assert lefts == sorted(lefts)
    assert len({round(top) for _name, _left, top in lanes}) == 1
    assert label >= body
    context.close()


def _lane_links(page):
    """Return each drawn lane arrow's steps, end point and the next step's box."""
    return page.eval_on_selector_all(
        "pre[data-mermaid] svg path.lane-link",
        """paths => paths.map(path => {
          const [, next] = path.dataset.laneLink.split("-");
          const node = [...document.querySelectorAll("svg g.node")].find(
            g => g.id.endsWith(`-flowchart-${next}-${g.id.split("-").pop()}`));
          const end = path.getPointAtLength(path.getTotalLength());
          const point = new DOMPoint(end.x, end.y).matrixTransform(
            path.getScreenCTM());
          const box = node.getBoundingClientRect();
          return {
            link: path.dataset.laneLink,
            marker: path.getAttribute("marker-end"),
            x: point.x, y: point.y,
            left: box.left, top: box.top, bottom: box.bottom,
          };
        })""",
    )


def test_workflow_map_leads_each_lane_into_the_next_by_an_arrow(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)

    links = _lane_links(page)

    assert [link["link"] for link in links] == [
        "s8-s9",
        "s21-s22",
        "s30-s31",
        "s49-s50",
    ]
    for link in links:
        assert link["marker"].endswith("_flowchart-v2-pointEnd)")
        assert abs(link["x"] - link["left"]) < 2
        assert link["top"] < link["y"] < link["bottom"]
    assert errors == []
    page.screenshot(path=ARTIFACTS / "workflow-map-lanes.png", full_page=True)
    context.close()


def test_workflow_map_is_drawn_and_measured_once_its_tab_is_shown(
    chromium, live_server
):
    context, page, errors = _workflow_page(chromium, live_server)
    page.goto(page.url.split("#")[0] + "#sop")
    page.reload(wait_until="load")
    hidden = page.locator("[data-map-viewport] [data-mermaid] svg").count()

    page.get_by_role("link", name="Process map").click()
    page.locator("svg path.lane-link").first.wait_for()
    links = _lane_links(page)
    zoom = float(page.locator("[data-map-viewport]").get_attribute("data-zoom"))

    assert hidden == 0
    assert len(links) == 4
    for link in links:
        assert abs(link["x"] - link["left"]) < 2
    assert 0.5 < zoom < 1
    assert errors == []
    context.close()


def test_workflow_map_starts_fitted_to_a_wide_map_but_legible(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)
    viewport = page.locator("[data-map-viewport]")

    sizes = viewport.evaluate("node => [node.scrollWidth, node.clientWidth]")
    zoom = float(viewport.get_attribute("data-zoom"))
    font = page.eval_on_selector(
        "pre[data-mermaid] svg g.node:not(.lane) text",
        "node => parseFloat(getComputedStyle(node).fontSize)",
    )

    assert zoom < 1
    assert font * zoom >= 12
    # Fitted to the width, unless that would take the labels under 12 px:
    # then it is only as wide as 12 px labels make it.
    assert sizes[0] <= sizes[1] or font * zoom < 12.1
    level = page.locator("[data-map-level]").inner_text()
    assert abs(int(level.rstrip("%")) - zoom * 100) < 1
    assert errors == []
    context.close()


def test_workflow_map_starts_at_the_legible_minimum_when_fitting_is_smaller(
    chromium, live_server
):
    context, page, errors = _workflow_page(
        chromium, live_server, viewport={"width": 700, "height": 740}
    )
    viewport = page.locator("[data-map-viewport]")

    sizes = viewport.evaluate("node => [node.scrollWidth, node.clientWidth]")
    font = page.eval_on_selector(
        "pre[data-mermaid] svg g.node:not(.lane) text",
        "node => parseFloat(getComputedStyle(node).fontSize)",
    )
    zoom = float(viewport.get_attribute("data-zoom"))

    assert sizes[0] > sizes[1]
    # Legible labels: 12 px, rounded up to start the map at whole pixels.
    assert 11.99 <= font * zoom < 12.1
    assert errors == []
    context.close()


def test_workflow_map_has_a_legend_outside_the_drawing(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)

    items = page.locator(".map-legend li").all_inner_texts()
    legend = [" ".join(text.split()) for text in items]
    hint = page.locator("[data-map-help]").inner_text()

    assert legend == [
        "Action",
        "Decision: a value chosen",
        "Look-up",
        "Note",
        "Wait",
        "→ On to the next phase",
    ]
    assert page.locator("pre[data-mermaid] svg .map-legend").count() == 0
    assert hint.startswith("In the map: + and − zoom")
    assert errors == []
    context.close()


def test_workflow_map_hint_speaks_of_pinching_on_a_touch_screen(chromium, live_server):
    context, page, errors = _workflow_page(
        chromium, live_server, has_touch=True, is_mobile=True
    )

    hint = page.locator("[data-map-help]").inner_text()

    assert hint == "Pinch or use the buttons to zoom; drag to move."
    assert errors == []
    context.close()


def test_workflow_map_zooms_with_its_buttons_and_keys(chromium, live_server):
    context, page, errors = _workflow_page(chromium, live_server)
    viewport = page.locator("[data-map-viewport]")
    viewport.focus()
    page.keyboard.press("0")
    natural = _map_width(page)
    level = page.locator("[data-map-level]")

    page.get_by_role("button", name="Zoom in").click()
    zoomed = _map_width(page)
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    smaller = _map_width(page)
    page.get_by_role("button", name="Fit to width").click()
    fitted = _map_width(page)
    inner = viewport.evaluate("node => node.clientWidth")
    viewport.focus()
    page.keyboard.press("0")
    reset = _map_width(page)
    page.keyboard.press("+")

    assert zoomed > natural > smaller
    assert fitted <= inner and fitted > inner * 0.8
    assert reset == natural
    assert level.inner_text() == "125%"
    assert errors == []
    context.close()


def test_workflow_map_scrolls_inside_its_viewport_at_phone_width(chromium, live_server):
    context, page, errors = _workflow_page(
        chromium, live_server, viewport={"width": 375, "height": 740}
    )
    viewport = page.locator("[data-map-viewport]")

    sizes = viewport.evaluate("node => [node.scrollWidth, node.clientWidth]")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    before = viewport.evaluate("node => node.scrollLeft")
    box = viewport.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 20, box["y"] + 40, steps=5)
    page.mouse.up()
    after = viewport.evaluate("node => node.scrollLeft")

    assert sizes[0] > sizes[1]
    assert page_width <= 375
    assert after > before
    assert page.get_by_role("button", name="Zoom in").is_visible()
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    "fragment", ["%E0%A4%A", "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"]
)
def test_workflow_page_survives_a_malformed_or_crafted_fragment(
    chromium, live_server, fragment
):
    context, page, errors = _workflow_page(chromium, live_server)
    thrown = []
    page.on("pageerror", lambda error: thrown.append(str(error)))

    page.goto(page.url.split("#")[0] + "#" + fragment)
    page.locator("pre[data-mermaid] svg").wait_for(state="attached")
    shown = page.locator(".tab-panel:visible")

    assert thrown == [] and errors == []
    assert [shown.nth(i).get_attribute("id") for i in range(shown.count())] == ["sop"]
    assert page.locator("#sop img, .tabs img").count() == 0
    context.close()
