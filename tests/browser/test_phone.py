"""At phone width: no page scrolls sideways, and charts, tables and the map stay
legible; a pinch on the map zooms the map, not the page."""

import pytest

from apps.recordings.models import Recording
from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build
from apps.sharing.services import share_link_create
from apps.workflows.services import system_rule_create, workflow_edit
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
    "{workflow}versions/",
    "{workflow}compare/?a=1&b=2",
    "/workflows/",
    "/workflows/systems/",
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
# Each chart that scrolls sideways, by its name and how far: at phone width a
# chart is drawn whole, every bar at its full length, in the column.
SCROLLING_CHARTS = """() => [...document.querySelectorAll('figure.chart')]
  .filter((figure) => figure.scrollWidth > figure.clientWidth)
  .map((figure) => [...figure.querySelectorAll('svg')]
    .filter((svg) => svg.getClientRects().length)
    .map((svg) => svg.getAttribute('aria-label'))
    .concat([figure.scrollWidth - figure.clientWidth]).join(': '))"""
MAP_LABEL_SIZES = """() => [...document.querySelectorAll(
    '[data-map-viewport] svg g.node:not(.lane) text')]
  .map((text) => parseFloat(getComputedStyle(text).fontSize)
    * text.getScreenCTM().a)"""

# Every visible table in the main content: how far it, or the box it sits
# in, scrolls sideways, and each body cell whose column header has visible
# text but whose label drawn before it is not that text.
TABLES = """() => {
  const main = document.querySelector('main');
  const visible = (node) => node.getClientRects().length > 0;
  const overflow = (node) => node.scrollWidth - node.clientWidth;
  const headerText = (th) => {
    const copy = th.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
    return copy.textContent.trim().replace(/\\s+/g, ' ');
  };
  const tables = [...main.querySelectorAll('table')].filter(visible);
  const result = { main: overflow(main), wide: [], mislabelled: [], labelled: 0,
                   tables: tables.length };
  for (const table of tables) {
    const boxes = [table, table.closest('.table-scroll')].filter(Boolean);
    const most = Math.max(...boxes.map(overflow));
    if (most > 0 || table.getBoundingClientRect().right
        > main.getBoundingClientRect().right) result.wide.push(most);
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    // A table marked to keep its grid is not stacked, so it draws no labels.
    if (!head || table.hasAttribute('data-keep-table')) continue;
    for (const body of [...table.tBodies, table.tFoot].filter(Boolean)) {
      for (const row of body.rows) {
        if (row.cells.length !== head.cells.length) continue;
        [...row.cells].forEach((cell, index) => {
          const text = headerText(head.cells[index]);
          if (!text) return;
          const drawn = getComputedStyle(cell, '::before').content;
          // A cell whose value names itself ("INC0000045", "Closed") is
          // marked data-unlabelled and draws no label.
          if (cell.hasAttribute('data-unlabelled') && drawn === 'none') return;
          const label = drawn.startsWith('"') ? JSON.parse(drawn).trim() : drawn;
          if (label === text) result.labelled += 1;
          else result.mislabelled.push(`${text}: ${drawn}`);
        });
      }
    }
  }
  return result;
}"""
# The top and bottom of each of the map toolbar's buttons, and of its level.
TOOLBAR_BOXES = """() => [...document.querySelectorAll(
    '[data-map-toolbar] button, [data-map-toolbar] output')]
  .map((node) => node.getBoundingClientRect())
  .map((box) => [Math.round(box.top), Math.round(box.bottom)])"""


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
    membership = organization.memberships.get(user=owner)
    # A second version, for the comparison table, and a rule, for the
    # systems table.
    steps = workflow.current_version.steps
    workflow_edit(
        membership=membership,
        workflow=workflow,
        edit={"op": "reorder", "ref": steps[1]["ref"], "after": steps[2]["ref"]},
    )
    system_rule_create(
        membership=membership,
        host_pattern="itsm.example.com",
        name="ServiceNow",
        kind="itsm",
        path_prefix="/now/nav/ui/classic/params/target/incident_list.do",
    )
    _link, token = share_link_create(
        membership=membership, workflow=workflow, include_report=True
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
    overflowing, small_text, scrolling, chart_pages = [], [], [], 0

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
        scrolling += [f"{path}: {chart}" for chart in page.evaluate(SCROLLING_CHARTS)]

    assert overflowing == []
    assert small_text == []
    assert scrolling == []
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


def test_tables_stack_their_rows_with_labelled_cells_at_phone_width(phone, paths):
    page = phone.new_page()
    wide, mislabelled, labelled_pages = [], [], 0

    for path in paths:
        _open(page, path)
        tables = page.evaluate(TABLES)
        if tables["main"] > 0 or tables["wide"]:
            wide.append(f"{path}: main {tables['main']}px, tables {tables['wide']}")
        mislabelled += [f"{path}: {cell}" for cell in tables["mislabelled"][:3]]
        labelled_pages += tables["labelled"] > 0

    assert wide == []
    assert mislabelled == []
    # Runs, report, versions, compare, members, tokens, incidents and more.
    assert labelled_pages >= 8


def test_stacked_table_keeps_its_headers_for_a_screen_reader(phone, paths):
    page = phone.new_page()
    _open(page, paths[PAGES.index("{workflow}versions/")])
    session = phone.new_cdp_session(page)

    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = {node["role"]["value"] for node in nodes if "role" in node}
    header = page.get_by_role("columnheader", name="Version")

    assert {"table", "row", "columnheader", "cell"} <= roles
    assert header.count() == 1
    assert page.locator("main table thead").evaluate(
        "node => node.getBoundingClientRect().height <= 1"
    )


# Put in two copies of the versions table without their labels, one marked to
# keep its grid, and a row in the table itself: as a script fetching part of
# a page would.
ADD_TABLES = """() => {
  const bare = (node) => {
    const copy = node.cloneNode(true);
    for (const element of [copy, ...copy.querySelectorAll('*')]) {
      delete element.dataset.label;
      delete element.dataset.stack;
      element.removeAttribute('role');
    }
    return copy;
  };
  const table = document.querySelector('main table');
  const main = document.querySelector('main');
  main.append(bare(table));
  const kept = bare(table);
  kept.dataset.keepTable = '';
  main.append(kept);
  table.tBodies[0].append(bare(table.tBodies[0].rows[0]));
}"""
ADDED_TABLES = """() => [...document.querySelectorAll('main table')].map((table) => [
  'stack' in table.dataset,
  table.tBodies[0].rows[table.tBodies[0].rows.length - 1].cells[0].dataset.label,
])"""


def test_tables_put_in_later_are_labelled_unless_kept(phone, paths):
    page = phone.new_page()
    _open(page, paths[PAGES.index("{workflow}versions/")])

    page.evaluate(ADD_TABLES)
    page.evaluate("() => new Promise((done) => setTimeout(done))")

    assert page.evaluate(ADDED_TABLES) == [
        [True, "Version"],
        [True, "Version"],
        [False, None],
    ]


def test_map_toolbar_fits_one_line_at_phone_width(phone, paths):
    page = phone.new_page()
    _open(page, paths[PAGES.index("{workflow}#map")])

    *buttons, output = page.evaluate(TOOLBAR_BOXES)
    fit = page.get_by_role("button", name="Fit to width")

    assert len(buttons) == 4
    assert len({top for top, _bottom in buttons}) == 1, buttons
    assert buttons[0][0] <= output[0] and output[1] <= buttons[0][1], output
    assert fit.is_visible()
    assert fit.get_attribute("title") == "Fit to width"


def _touch(session, kind, points):
    session.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]},
    )


def _pinch(session, x, y, start, end, steps=8):
    """Put two fingers ``start`` apart about (x, y) and spread them to ``end``."""
    for step in range(steps + 1):
        half = (start + (end - start) * step / steps) / 2
        kind = "touchStart" if step == 0 else "touchMove"
        _touch(session, kind, [(x - half, y), (x + half, y)])
    _touch(session, "touchEnd", [])


@pytest.fixture
def touch(browser, live_server, phone, paths):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(30000)
    context.add_cookies(phone.cookies())
    yield context
    context.close()


def _map_on_a_touch_screen(touch, paths):
    page = touch.new_page()
    _open(page, paths[PAGES.index("{workflow}#map")])
    return page, page.locator("[data-map-viewport]"), touch.new_cdp_session(page)


def test_pinch_on_the_map_zooms_the_map_not_the_page(touch, paths):
    page, viewport, session = _map_on_a_touch_screen(touch, paths)
    box = viewport.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = float(viewport.get_attribute("data-zoom"))

    _pinch(session, x, y, 60, 180)
    spread = float(viewport.get_attribute("data-zoom"))
    _pinch(session, x, y, 180, 60)
    closed = float(viewport.get_attribute("data-zoom"))

    assert spread == pytest.approx(before * 3, rel=0.05)
    assert closed == pytest.approx(before, rel=0.05)
    assert page.evaluate("() => visualViewport.scale") == 1
    assert page.locator("[data-map-level]").inner_text() == f"{round(closed * 100)}%"


def _swipe(session, start, end, steps=8):
    """Drag one finger from ``start`` to ``end`` in ``steps`` moves."""
    (x0, y0), (x1, y1) = start, end
    _touch(session, "touchStart", [start])
    for step in range(1, steps + 1):
        share = step / steps
        point = (x0 + (x1 - x0) * share, y0 + (y1 - y0) * share)
        _touch(session, "touchMove", [point])
    _touch(session, "touchEnd", [])


def test_one_finger_pans_the_map_then_the_page_past_its_edge(touch, paths):
    page, viewport, session = _map_on_a_touch_screen(touch, paths)
    box = viewport.bounding_box()
    right, top = box["x"] + box["width"] - 40, box["y"] + 60
    scroll = "node => [node.scrollLeft, node.scrollTop, window.scrollY]"
    start = viewport.evaluate(scroll)

    _swipe(session, (right, top), (right - 240, top))
    panned = viewport.evaluate(scroll)
    viewport.evaluate("node => { node.scrollTop = node.scrollHeight; }")
    bottom = viewport.evaluate(scroll)
    _swipe(session, (right, top + 200), (right, top))
    past = viewport.evaluate(scroll)

    assert panned[0] > start[0] + 150
    assert past[1] == bottom[1]
    assert past[2] > bottom[2] + 150
    assert page.evaluate("() => visualViewport.scale") == 1


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


def test_a_workflows_tabs_keep_to_one_row(phone, paths):
    page = phone.new_page()
    _open(page, next(path for path in paths if path.startswith("/workflows/")))

    tops = page.locator("nav.tabs a").evaluate_all(
        "links => links.map((link) => link.getBoundingClientRect().top)"
    )

    assert len(tops) == 4
    assert len(set(tops)) == 1


def test_escape_folds_the_phone_menu_back_onto_its_button(phone, paths):
    page = phone.new_page()
    page.goto("/dashboard/")
    menu = page.locator(".site-menu > summary")
    menu.click()
    page.get_by_role("link", name="Settings").focus()

    page.keyboard.press("Escape")

    assert not page.get_by_role("link", name="Settings").is_visible()
    assert menu.evaluate("node => node === document.activeElement")


def test_header_shows_its_links_without_a_menu_on_a_desktop(context, live_server):
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page = context.new_page()
    page.goto("/dashboard/")

    assert page.get_by_role("link", name="Settings").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()


# How far each SOP step's first line of text starts right of its meta line.
STEP_TEXT_OFFSETS = """() => [...document.querySelectorAll('.sop li.step[id]')]
  .map((step) => {
    const left = (node) => {
      const range = document.createRange();
      range.selectNodeContents(node);
      return range.getClientRects()[0].left;
    };
    return left(step.querySelector('.step-text'))
      - left(step.querySelector('.step-meta'));
  })"""
# Where each legend text of the report's first chart ends, past the right
# edge of the box the chart scrolls in (negative while in view).
LEGEND_PAST_EDGE = """() => {
  const figure = document.querySelector('#report figure.chart');
  const edge = figure.getBoundingClientRect().left + figure.clientWidth;
  return [...figure.querySelectorAll('svg text')]
    .filter((text) => text.getClientRects().length)
    .map((text) => text.getBoundingClientRect().right - edge);
}"""


def test_sop_step_text_lines_up_with_its_meta_line(phone, paths):
    page = phone.new_page()
    _open(page, paths[PAGES.index("{workflow}#sop")])

    offsets = page.evaluate(STEP_TEXT_OFFSETS)

    assert offsets
    assert max(abs(offset) for offset in offsets) < 0.5


def test_phase_legend_is_in_view_before_the_chart_scrolls(phone, paths):
    page = phone.new_page()
    _open(page, paths[PAGES.index("{workflow}#report")])

    past_edge = page.evaluate(LEGEND_PAST_EDGE)

    assert past_edge
    assert max(past_edge) <= 0
