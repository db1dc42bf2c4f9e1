"""The workflow page with its report in Chromium: tabs, accessibility, width."""

import re

import pytest

from apps.sharing.services import share_link_create
from apps.workflows import selectors, services
from tests import factories
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import axe, log_in, shoot, wait_until
from tests.workflows.conftest import build_raising, import_sample

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
    # The tab is marked on hashchange, which comes after the click returns.
    wait_until(
        page,
        """document.querySelector('.tabs a[href="#report"]')
            .getAttribute('aria-current') === 'page'""",
    )
    assert not page.locator("#map").is_visible()
    assert page.locator("#report-heading").is_visible()
    assert page.locator("#report figure.chart svg").count() >= 2
    violations = axe(page)
    overflow = shoot(page, "workflow-report")
    assert violations == []
    assert overflow <= 0
    assert page.console_errors == []


def test_editing_a_step_in_place_by_keyboard_returns_to_it_saved(
    context, page, live_server
):
    workflow, _recording = _built_workflow(context, live_server)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"/workflows/{workflow.pk}/#sop")
    step = page.locator("#step-3")
    step.locator("summary").focus()
    page.keyboard.press("Enter")
    wait_until(
        page,
        "document.activeElement.name === 'text'"
        " && document.activeElement.closest('li.step').id === 'step-3'",
    )
    opened = [
        step.get_by_label("Phase").is_visible(),
        step.get_by_role("button", name="Delete step").is_visible(),
        page.locator("#step-4 [data-step-edit] form").first.is_visible(),
    ]
    violations = axe(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.keyboard.press("Control+A")
    page.keyboard.type("Open the incident list")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?step=3#step-3$"))
    wait_until(page, "document.activeElement.id === 'step-3'")

    assert opened == [True, True, False]
    assert violations == []
    assert overflow <= 0
    assert step.locator(".step-text").inner_text() == "Open the incident list"
    assert step.get_by_text("Saved as a new version.").is_visible()
    assert step.evaluate(
        "node => node.getBoundingClientRect().top < window.innerHeight"
    )
    assert not step.locator("[data-step-edit]").evaluate("node => node.open")
    assert page.locator("#workflow-state").get_by_text("version 2").is_visible()
    assert workflow.versions.count() == 2
    assert page.console_errors == []


def test_cancelling_a_step_edit_drops_the_text_and_returns_to_the_step(
    context, page, live_server
):
    workflow, _recording = _built_workflow(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/#edit-4")
    page.wait_for_url("**#step-4")
    step = page.locator("#step-4")
    text = step.get_by_label("Text")
    before = text.input_value()
    step.locator("summary").click()
    text.fill("Not kept")
    page.keyboard.press("Escape")
    by_escape = page.evaluate("document.activeElement.getAttribute('aria-label')")
    step.locator("summary").click()
    text.fill("Not kept either")
    step.get_by_role("button", name="Cancel").click()

    assert by_escape == "Edit step 4"
    assert page.evaluate("document.activeElement.textContent") == "Edit"
    assert not step.locator("[data-step-edit]").evaluate("node => node.open")
    assert text.input_value() == before
    assert workflow.versions.count() == 1
    page.goto(f"/workflows/{workflow.pk}/#edit")
    page.wait_for_url("**#sop")
    assert page.locator("#sop").is_visible()
    assert page.console_errors == []


def test_a_viewer_and_a_shared_page_get_no_edit_control(context, page, live_server):
    workflow, _recording = _built_workflow(context, live_server)
    workflow.refresh_from_db()
    organization = workflow.organization
    owner = organization.memberships.get(role="owner")
    viewer = factories.member_add(organization=organization, role="viewer")
    _link, token = share_link_create(membership=owner, workflow=workflow)

    log_in(context, viewer, live_server)
    page.goto(f"/workflows/{workflow.pk}/#sop")
    page.locator("#step-3").wait_for()
    viewer_controls = page.locator("#sop summary, #sop form").count()
    page.goto(f"/s/{token}/")
    page.locator("#step-3").wait_for()

    assert viewer_controls == 0
    assert page.locator("main summary, main form, [data-step-edit]").count() == 0
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


def test_a_build_stopped_by_an_unexpected_error_ends_the_progress_in_try_again(
    context, page, live_server, monkeypatch
):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = import_sample(organization)
    workflow = services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    log_in(context, owner, live_server)
    page.goto(f"/workflows/{workflow.pk}/")
    polling = page.locator("#workflow-state progress").is_visible()

    workflow.refresh_from_db()
    build_raising(monkeypatch, workflow.reference_run, KeyError("steps"))
    # The page asks for the state every 1.5 s and reloads once it is over;
    # only the page it reloads gives the reason.
    wait_until(page, "document.querySelector('[data-reason]') !== null")

    assert polling
    assert page.locator("#workflow-state progress").count() == 0
    assert (
        page.locator("[data-reason]")
        .inner_text()
        .startswith("The build stopped on an unexpected error. Try again;")
    )
    assert page.get_by_role("button", name="Try again").is_visible()
    assert page.console_errors == []
