"""The workflow page with its report in Chromium: tabs, accessibility, width."""

import pytest

from apps.workflows import selectors, services
from tests import factories
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import axe, log_in, shoot, wait_until
from tests.workflows.conftest import import_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures live in tests/browser; this page's test sits with its app.
browser = browser_fixtures.browser
context = browser_fixtures.context
page = browser_fixtures.page


def _built_workflow(context, live_server):
    """Build the sample's workflow in a new organization, logged in as its owner."""
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = import_sample(organization)
    workflow = services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    log_in(context, owner, live_server)
    return workflow, recording


def test_workflow_page_with_report_passes_axe_and_marks_the_tab(
    context, page, live_server
):
    workflow, _recording = _built_workflow(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/#map")
    page.locator("pre[data-mermaid] svg").wait_for(timeout=30_000)
    page.get_by_role("link", name="Report", exact=True).click()

    assert page.url.endswith("#report")
    tab = page.locator('.tabs a[href="#report"]')
    assert tab.get_attribute("aria-current") == "page"
    assert not page.locator("#map").is_visible()
    assert page.locator("#report-heading").is_visible()
    assert page.locator("#report figure.chart svg").count() >= 2
    violations = axe(page)
    overflow = shoot(page, "workflow-report")
    assert violations == []
    assert overflow <= 0
    assert page.console_errors == []


def test_rewording_a_step_returns_to_it_open_in_the_edit_tab(
    context, page, live_server
):
    workflow, _recording = _built_workflow(context, live_server)
    page.set_viewport_size({"width": 1280, "height": 600})

    page.goto(f"/workflows/{workflow.pk}/#edit")
    step = page.locator("#edit-5")
    step.locator("summary").click()
    step.get_by_label("Text").fill("Open the incident list")
    width = step.get_by_label("Text").evaluate(
        "node => node.offsetWidth / node.closest('details').offsetWidth"
    )
    step.get_by_role("button", name="Reword").click()
    page.locator("main > [role=status]").get_by_text(
        "Saved as a new version."
    ).wait_for()
    # The message shows as the page is parsed, before the deferred scripts
    # have chosen the section to show.
    page.locator("#sop").wait_for(state="hidden")

    assert page.url.endswith("?open=5#edit-5")
    assert page.locator("#edit").is_visible()
    assert not page.locator("#sop").is_visible()
    assert page.locator("#edit-5 details").get_attribute("open") is not None
    assert "Open the incident list" in page.locator("#edit-5 summary").inner_text()
    assert page.locator("#edit-5").evaluate(
        "node => node.getBoundingClientRect().top < window.innerHeight"
    )
    assert page.evaluate("window.scrollY") > 0
    # The message shows by the step too, where the page opens.
    assert step.get_by_text("Saved as a new version.").is_visible()
    assert step.get_by_text("Saved as a new version.").evaluate(
        "node => node.getBoundingClientRect().bottom < window.innerHeight"
    )
    assert width > 0.6
    assert page.console_errors == []


def test_runs_table_stacks_its_rows_inside_its_card_at_phone_width(
    context, page, live_server
):
    workflow, recording = _built_workflow(context, live_server)
    page.set_viewport_size({"width": 360, "height": 700})

    page.goto(f"/workflows/{workflow.pk}/")
    box = page.locator("#runs-heading + .table-scroll")
    sizes = box.evaluate(
        """node => ({
          scroll: node.scrollWidth,
          client: node.clientWidth,
          right: node.getBoundingClientRect().right,
          card: node.parentElement.getBoundingClientRect().right,
          page: document.documentElement.scrollWidth,
        })"""
    )
    labels = box.locator("td[data-label]").evaluate_all(
        "cells => cells.map(cell => cell.dataset.label)"
    )
    link = box.get_by_role("link", name=recording.title)

    assert sizes["scroll"] <= sizes["client"]
    assert sizes["right"] <= sizes["card"]
    assert sizes["page"] == 360
    assert labels == ["Recording", "Agent", "Steps", "State"]
    assert link.count() == 1
    assert axe(page) == []


def test_choosing_a_tab_moves_focus_to_its_panel(context, page, live_server):
    workflow, _recording = _built_workflow(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/")
    page.locator('.tabs a[href="#map"]').focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'map'")
    page.keyboard.press("Tab")
    in_map = page.evaluate(
        "document.getElementById('map').contains(document.activeElement)"
    )
    page.get_by_role("link", name="SOP", exact=True).click()

    assert in_map
    wait_until(page, "document.activeElement.id === 'sop'")
    page.get_by_role("link", name="SOP", exact=True).click()
    assert page.evaluate("document.activeElement.id") == "sop"
    assert page.locator("#sop").get_attribute("tabindex") == "-1"
    assert page.console_errors == []


def test_a_link_to_a_step_opens_highlights_and_focuses_it(context, page, live_server):
    workflow, _recording = _built_workflow(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/#report")
    page.evaluate("window.location.hash = '#step-4'")
    wait_until(page, "document.activeElement.id === 'step-4'")

    step = page.locator("#step-4")
    assert page.locator("#sop").is_visible()
    assert step.evaluate("node => getComputedStyle(node).backgroundColor") == (
        "rgb(255, 244, 214)"
    )
    assert (
        page.locator("#step-5").evaluate(
            "node => getComputedStyle(node).backgroundColor"
        )
        == "rgba(0, 0, 0, 0)"
    )
    assert page.console_errors == []


def test_sop_note_steps_read_whole_and_wrap(context, page, live_server):
    workflow, _recording = _built_workflow(context, live_server)
    page.set_viewport_size({"width": 390, "height": 800})

    page.goto(f"/workflows/{workflow.pk}/#sop")
    note = page.locator("#sop li.step-note .step-text").first

    assert "uplink ports disabled." in note.inner_text()
    assert "…" not in note.inner_text()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_sop_tab_loads_no_mermaid_until_the_map_tab_draws_it(
    context, page, live_server
):
    workflow, _recording = _built_workflow(context, live_server)
    requested = []
    page.on(
        "request",
        lambda request: (
            request.url.endswith("/mermaid.min.js") and requested.append(request.url)
        ),
    )

    page.goto(f"/workflows/{workflow.pk}/")
    page.wait_for_load_state("networkidle")
    before = list(requested)
    source_drawn = page.locator("pre[data-mermaid] svg").count()
    page.get_by_role("link", name="Process map", exact=True).click()
    page.locator("[data-map-viewport][data-zoom]").wait_for(timeout=30_000)
    level = page.locator("[data-map-level]").inner_text()
    page.locator("[data-map-viewport]").focus()
    page.keyboard.press("+")
    page.get_by_role("link", name="SOP", exact=True).click()
    page.get_by_role("link", name="Process map", exact=True).click()
    wait_until(page, "document.activeElement.id === 'map'")

    assert before == [] and source_drawn == 0
    assert len(requested) == 1
    assert page.locator("pre[data-mermaid] svg").count() == 1
    assert page.locator("[data-map-toolbar]").is_visible()
    assert page.locator("[data-map-level]").inner_text() != level
    assert page.console_errors == []


def test_map_hint_speaks_of_keys_only_at_a_keyboards_width(context, page, live_server):
    workflow, _recording = _built_workflow(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/#map")
    page.locator("[data-map-viewport][data-zoom]").wait_for(timeout=30_000)
    wide = [
        page.locator(".map-help-keys").is_visible(),
        page.locator(".map-help-touch").is_visible(),
    ]
    page.set_viewport_size({"width": 375, "height": 740})

    assert wide == [True, False]
    assert not page.locator(".map-help-keys").is_visible()
    assert page.locator(".map-help-touch").is_visible()
