import re
from html import unescape
from http import HTTPStatus

import pytest
from django.utils.html import escape

from apps.recordings.format import EventType
from apps.recordings.templatetags.recording_tags import (
    EVENT_TYPE_LABELS,
    event_type_label,
)
from apps.workflows import selectors, services
from apps.workflows.models import SystemRule
from apps.workflows.sop import numbered_steps
from tests import factories
from tests.web.html import CELL
from tests.workflows.conftest import (
    build_failed,
    build_raising,
    build_sample,
    import_another_outage,
    recording_emptied,
)


def test_workflow_list_shows_the_organization_workflows(owner_client, workflow):
    response = owner_client.get("/workflows/")

    assert response.status_code == HTTPStatus.OK
    assert workflow.title.encode() in response.content


def test_workflow_detail_shows_sop_map_source_and_evidence_links(
    owner_client, workflow
):
    response = owner_client.get(f"/workflows/{workflow.pk}/")

    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Set Priority" in body and "in the recording: 2 - High" in body
    assert "data-mermaid>---" in body
    # mermaid.js is named for js/map.js to fetch when the map is shown.
    assert 'data-mermaid-src="/static/vendor/mermaid.min.js"' in body
    assert '<script src="/static/vendor/mermaid.min.js"' not in body
    assert f"/workflows/{workflow.pk}/versions/1/steps/1/" in body
    assert "<script>" not in body.replace("<script src=", "")


def test_workflow_detail_gives_the_map_labelled_zoom_buttons_in_a_viewport(
    owner_client, workflow
):
    response = owner_client.get(f"/workflows/{workflow.pk}/")

    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for action, label in (
        ("out", "Zoom out"),
        ("in", "Zoom in"),
        ("fit", "Fit to width"),
        ("reset", "Actual size"),
    ):
        button = re.search(
            rf'<button[^>]*data-map-zoom="{action}"[^>]*>(.*?)</button>', body
        )
        assert button, action
        assert f'<span class="map-button-text">{label}</span>' in button[1]
        assert 'aria-hidden="true"' in button[1]
    assert 'role="toolbar"' in body and 'aria-controls="map-viewport"' in body
    assert re.search(r'id="map-viewport" tabindex="0" role="region"', body)
    assert "js/map.js" in body
    assert "onclick" not in body


def test_workflow_evidence_lists_the_recorded_events(owner_client, workflow):
    response = owner_client.get(f"/workflows/{workflow.pk}/versions/1/steps/3/")

    assert response.status_code == HTTPStatus.OK
    assert b"Create a new record in ServiceNow" in response.content
    assert b"/now/nav/ui/classic/incident.do/new" in response.content
    # Each event's type in words, not as the recording format spells it.
    body = response.content.decode()
    types = re.findall(r"<tr><td>\d+</td><td>([^<]*)</td>", body)
    assert types and all(kind[:1].isupper() and "_" not in kind for kind in types)


def test_event_type_labels_name_every_recorded_event_type():
    assert set(EVENT_TYPE_LABELS) == set(EventType)
    assert event_type_label("choice_made") == "Choice made"
    assert event_type_label("something_new") == "something_new"


@pytest.mark.parametrize(
    ("export", "start"),
    [("pdf", b"%PDF"), ("md", b"# Berlin"), ("bpmn", b"<?xml"), ("mermaid", b"---")],
)
def test_workflow_download_serves_the_stored_export(
    owner_client, workflow, export, start
):
    response = owner_client.get(f"/workflows/{workflow.pk}/download/{export}/")

    assert response.status_code == HTTPStatus.OK
    assert response.content.startswith(start)
    assert "attachment" in response["Content-Disposition"]


def test_workflow_edit_post_makes_a_new_version_and_compare_shows_it(
    owner_client, workflow
):
    ref = workflow.current_version.steps[1]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": ref, "text": "Open the list"},
    )
    compare = owner_client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=2&all=1")

    assert response.status_code == HTTPStatus.FOUND
    page = compare.content.decode()
    assert '<tr class="compare-changed">' in page
    assert "2. Open the list" in page
    # Steps are compared, not waits: every other numbered step is the same.
    assert (
        page.count('<tr class="compare-same">')
        == len(numbered_steps(workflow.current_version.steps)) - 1
    )
    assert "+2\\. Open the list" in page


def test_workflow_edit_drops_control_characters_from_text_and_refs(
    owner_client, workflow
):
    ref = workflow.current_version.steps[1]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": f"{ref}\x00", "text": "Open\x00 the\x1b list"},
    )

    assert response.status_code == HTTPStatus.FOUND
    workflow.refresh_from_db()
    assert workflow.current_version.steps[1]["text"] == "Open the list"


def test_workflow_edit_refused_for_a_viewer(client, organization, workflow):
    viewer = factories.member_add(organization=organization, role="viewer")
    client.force_login(viewer)
    ref = workflow.current_version.steps[0]["ref"]

    page = client.get(f"/workflows/{workflow.pk}/")
    response = client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": "delete", "ref": ref}
    )

    assert page.status_code == HTTPStatus.OK
    assert b"data-step-edit" not in page.content
    assert f"/workflows/{workflow.pk}/edit/".encode() not in page.content
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_workflow_edit_with_bad_input_says_what_is_wrong(owner_client, workflow):
    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": "explode", "ref": "x"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Unknown edit" in response.content


def test_api_workflow_state_reports_ready_and_version(api_client, workflow):
    response = api_client.get(f"/api/v1/workflows/{workflow.pk}/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["state"] == "ready"
    assert response.json()["state_label"] == "Ready"
    assert response.json()["version"] == 1
    assert response.json()["progress"] == 100
    assert response.json()["page_url"] == (
        f"http://testserver{workflow.get_absolute_url()}"
    )


def test_api_workflow_retry_refuses_a_ready_workflow(api_client, workflow):
    response = api_client.post(f"/api/v1/workflows/{workflow.pk}/retry/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "not_failed"


def test_system_rule_list_adds_and_refuses_a_bad_pattern(owner_client, organization):
    added = owner_client.post(
        "/workflows/systems/",
        {"host_pattern": "*.corp.example", "name": "Corp admin", "kind": "admin"},
    )
    refused = owner_client.post(
        "/workflows/systems/",
        {"host_pattern": "https://x/y", "name": "X", "kind": "admin"},
    )

    assert added.status_code == HTTPStatus.FOUND
    assert SystemRule.objects.filter(organization=organization).count() == 1
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert b"no scheme, path or spaces" in refused.content


def test_system_rule_with_a_bad_pattern_keeps_the_form_and_says_why_at_the_field(
    owner_client, organization
):
    response = owner_client.post(
        "/workflows/systems/?next=/workflows/",
        {
            "host_pattern": "https://x/y",
            "path_prefix": "/admin",
            "name": "Corp admin",
            "kind": "monitoring",
            "next": "/workflows/",
        },
    )
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "That did not work" not in page
    assert (
        'value="https://x/y" aria-invalid="true" '
        'aria-describedby="host_pattern-error" autofocus>'
    ) in page
    assert re.search(
        r'<span class="error-message" id="host_pattern-error" role="alert">'
        r"[^<]*no scheme, path or spaces[^<]*</span>",
        page,
    )
    assert 'name="path_prefix" value="/admin">' in page
    assert 'name="name" required maxlength="80" value="Corp admin">' in page
    assert '<option value="monitoring" selected>' in page
    assert '<input type="hidden" name="next" value="/workflows/">' in page
    assert not SystemRule.objects.filter(organization=organization).exists()


def test_system_rule_for_a_named_host_says_so_at_the_host(owner_client):
    rule = {"host_pattern": "intranet.example", "name": "Intranet", "kind": "other"}
    owner_client.post("/workflows/systems/", rule)

    response = owner_client.post("/workflows/systems/", {**rule, "name": "Again"})
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        '<span class="error-message" id="host_pattern-error" role="alert">'
        "There is already a rule for intranet.example.</span>"
    ) in page
    assert 'value="Again"' in page


def test_system_rule_list_shows_the_settings_tabs_with_systems_current(
    owner_client,
):
    page = owner_client.get("/workflows/systems/").content.decode()

    assert '<nav class="tabs" aria-label="Settings">' in page
    assert '<a href="/workflows/systems/" aria-current="page">Systems</a>' in page
    assert '<a href="/settings/members/">Members</a>' in page


def test_workflow_edit_returns_to_the_edited_step_in_the_sop(owner_client, workflow):
    ref = workflow.current_version.steps[3]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": ref, "text": "Open the list"},
    )
    page = owner_client.get(response["Location"].split("#")[0]).content.decode()

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/workflows/{workflow.pk}/?step=4#step-4"
    step = _sop_step(page, 4)
    assert '<span class="step-text">Open the list</span>' in step
    assert '<p class="message success">Saved as a new version.</p>' in step
    assert page.count("Saved as a new version.") == 2
    assert "data-step-edit open" not in page


def test_workflow_move_down_puts_the_step_after_the_next_one(owner_client, workflow):
    steps = workflow.current_version.steps
    first, second = steps[0]["ref"], steps[1]["ref"]
    page = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reorder", "ref": first, "after": second},
    )

    workflow.refresh_from_db()
    refs = [step["ref"] for step in workflow.current_version.steps]
    assert page.count(">Move down</button>") == len(steps) - 1
    assert page.count(">Move up</button>") == len(steps) - 1
    assert re.search(
        rf'name="ref" value="{re.escape(first)}">\s*<input type="hidden" '
        rf'name="after" value="{re.escape(second)}">\s*<button[^>]*>Move down<',
        page,
    )
    assert refs[:2] == [second, first]
    assert response["Location"] == f"/workflows/{workflow.pk}/?step=2#step-2"


def test_workflow_edit_that_removes_the_step_returns_to_the_sop(owner_client, workflow):
    ref = workflow.current_version.steps[0]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": "delete", "ref": ref}
    )

    assert response["Location"] == f"/workflows/{workflow.pk}/#sop"


def test_step_edit_names_phases_as_the_sop_does(owner_client, workflow):
    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    step = _sop_step(body, 1)
    assert '<option value="log" selected>Log</option>' in step
    assert '<option value="close" >Close</option>' in step
    assert ">log<" not in body


def test_versions_list_says_what_an_edit_changed_and_who_made_it(
    owner_client, owner, workflow
):
    ref = workflow.current_version.steps[3]["ref"]
    owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": ref, "text": "Open the list"},
    )
    owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "move_phase", "ref": ref, "phase": "triage"},
    )

    page = owner_client.get(f"/workflows/{workflow.pk}/versions/").content.decode()

    local_part = owner.email.partition("@")[0]
    assert re.search(
        rf"<td>Edited: reworded step 4 “[^<]+”</td><td{CELL}>{local_part}</td>", page
    )
    assert owner.email not in page
    assert "<td>Edited: moved step 4 “Open the list” to Triage</td>" in page
    assert f"<td>Generated</td><td{CELL}>the system</td>" in page


def test_versions_list_names_the_editor_by_their_name(owner_client, owner, workflow):
    owner.name = "Priya Raman"
    owner.save(update_fields=["name"])
    ref = workflow.current_version.steps[3]["ref"]
    owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": ref, "text": "Open the list"},
    )

    page = owner_client.get(f"/workflows/{workflow.pk}/versions/").content.decode()

    assert re.search(
        rf"<td>Edited: reworded step 4 “[^<]+”</td><td{CELL}>Priya Raman</td>", page
    )
    assert owner.email not in page


def test_runs_table_links_each_recording_and_scrolls_in_its_card(
    owner_client, workflow, outage
):
    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    runs = body[body.index('id="runs-heading"') :]
    assert (
        f'<td{CELL}><a href="/recordings/{outage.pk}/">{outage.title}</a></td>' in runs
    )
    assert '<div class="table-scroll"><table>' in runs


RECORDED_NOTE_ASIDE = '<em class="step-aside">From the recording:</em>'


def _sop_texts(body):
    return re.findall(r'<span class="step-text">(.*?)</span>', body, re.S)


def _edit_texts(body):
    """Return the text in each numbered step's Reword box, in order."""
    return re.findall(
        r'<li class="step [^"]*" id="step-\d+".*?'
        r'<input name="text" id="reword-text-\d+" value="([^"]*)"',
        body,
        re.S,
    )


def _sop_step(body, number):
    """Return the markup of step ``number`` in the SOP, its edit forms included."""
    pattern = rf'<li class="step [^"]*" id="step-{number}".*?</li>'
    return re.search(pattern, body, re.S)[0]


def test_step_edit_words_each_step_as_the_sop_does(owner_client, workflow):
    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    sop = _sop_texts(body)
    # The SOP shows a recorded note as an aside; the editor gives the step's
    # own words, "Note: …".
    aside = f"{RECORDED_NOTE_ASIDE} "
    assert aside in "".join(sop)
    assert sop and _edit_texts(body) == [
        text.replace(aside, "Note: ").removeprefix("<strong>Decision:</strong> ")
        for text in sop
    ]
    assert any(text.startswith("<strong>Decision:</strong> Set ") for text in sop)


def test_sop_tab_gives_each_note_whole(owner_client, workflow):
    steps = workflow.current_version.steps
    notes = [step["note"] for step in steps if step["kind"] == "note"]

    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    notes_shown = [
        text for text in _sop_texts(body) if text.startswith(RECORDED_NOTE_ASIDE)
    ]
    assert notes_shown == [f"{RECORDED_NOTE_ASIDE} {escape(note)}" for note in notes]
    assert any(len(note) > 90 for note in notes)


def test_reword_box_holds_each_note_whole(owner_client, workflow):
    steps = workflow.current_version.steps
    notes = [f"Note: {step['note']}" for step in steps if step["kind"] == "note"]

    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    boxes = re.findall(
        r'<input name="text" id="reword-text-\d+" value="([^"]*)" maxlength="\d+"',
        body,
    )
    assert [escape(note) for note in notes] == [
        box for box in boxes if box.startswith("Note: ")
    ]
    assert any(len(note) > 90 for note in notes)


def _wait_index(workflow):
    steps = workflow.current_version.steps
    return next(i for i, step in enumerate(steps) if step["kind"] == "wait")


def test_workflow_pages_number_steps_on_across_a_wait(owner_client, workflow):
    index = _wait_index(workflow)
    after = workflow.current_version.steps[index + 1]["text"]

    body = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()
    evidence = owner_client.get(
        f"/workflows/{workflow.pk}/versions/1/steps/{index + 1}/"
    ).content.decode()

    # The wait is step 47 of the stored list but no step of the SOP: the
    # step after it is number 47 in the SOP, its Edit control and its evidence.
    assert re.search(
        rf'id="step-{index + 1}"[^>]*>\s*<span class="step-number">{index + 1}\.</span>'
        rf' <span class="step-text">{re.escape(after)}</span>',
        body,
    )
    assert re.search(r"<li[^>]*><em[^>]*>Wait: no activity was recorded here", body)
    numbers = re.findall(r'<summary aria-label="Edit step (\d+)">', body)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(numbers) == len(workflow.current_version.steps) - 1
    assert re.search(
        r'<em class="step-text muted">Wait: no activity was recorded here \(took 10 '
        r'min[^<]*</em>\s*<details class="step-edit" data-step-edit>\s*'
        r'<summary aria-label="Edit this wait">Edit</summary>',
        body,
    )
    assert f"Step {index + 1}: {escape(after)}</h1>" in evidence


def test_workflow_edit_of_a_wait_is_named_without_a_number(owner_client, workflow):
    ref = workflow.current_version.steps[_wait_index(workflow)]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": "delete", "ref": ref}
    )
    versions = owner_client.get(f"/workflows/{workflow.pk}/versions/")
    compare = owner_client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=2")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{workflow.get_absolute_url()}#sop"
    assert "Edited: changed the wait “Wait: no activity was recorded here" in (
        versions.content.decode()
    )
    # Comparing steps, the versions are alike: the wait was no step.
    page = compare.content.decode()
    assert "compare-removed" not in page and "compare-changed" not in page


@pytest.mark.parametrize(
    ("op", "text", "error"),
    [
        ("note", "  ", "The text is empty."),
        ("split", "Only one line", "Splitting a step needs at least two texts."),
    ],
)
def test_workflow_edit_with_a_wrong_text_returns_to_its_field_keeping_it(
    owner_client, workflow, op, text, error
):
    ref = workflow.current_version.steps[3]["ref"]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": op, "ref": ref, "text": text}
    )
    page = owner_client.get(response["Location"].split("#")[0]).content.decode()
    again = owner_client.get(response["Location"].split("#")[0]).content.decode()

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/workflows/{workflow.pk}/#{op}-text-4"
    assert workflow.versions.count() == 1
    assert f'<p class="error-message" id="{op}-error-4">{error}</p>' in page
    assert re.search(
        rf'id="{op}-text-4" rows="2" required aria-invalid="true" '
        rf'aria-describedby="{op}-error-4">{re.escape(text)}</textarea>',
        page,
    )
    assert error not in again


def _failed(organization, recording, monkeypatch):
    workflow = services.workflow_generate(
        organization=organization, recording=recording
    )
    build_failed(monkeypatch, workflow)
    return workflow


def test_failed_workflow_offers_one_way_to_try_again(
    owner_client, organization, outage, monkeypatch
):
    workflow = _failed(organization, outage, monkeypatch)

    page = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()

    assert page.count(f'action="/workflows/{workflow.pk}/retry/"') == 1
    assert ">Try again</button>" in page
    assert "Retry" not in page
    assert f'action="/workflows/{workflow.pk}/regenerate/"' not in page
    assert "Builds the SOP again from the reference run's recording." in page
    assert (
        "It does not count against this month's quota: a workflow whose first "
        "build failed documented nothing." in page
    )


def test_failed_workflow_of_an_empty_recording_offers_no_retry_and_says_why(
    owner_client, organization, outage, monkeypatch
):
    workflow = _failed(organization, outage, monkeypatch)
    recording_emptied(outage)

    page = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()
    tried = owner_client.post(f"/workflows/{workflow.pk}/retry/")

    assert f"/workflows/{workflow.pk}/retry/" not in page
    assert f"/workflows/{workflow.pk}/regenerate/" not in page
    assert (
        "Trying again would fail the same way, so it is not offered." in page
        and "Delete this workflow and record the incident again." in page
    )
    assert tried.status_code == HTTPStatus.CONFLICT
    workflow.refresh_from_db()
    assert workflow.state == "failed"


def test_api_workflow_retry_refuses_a_workflow_of_an_empty_recording(
    api_client, organization, outage, monkeypatch
):
    workflow = _failed(organization, outage, monkeypatch)
    recording_emptied(outage)

    response = api_client.post(f"/api/v1/workflows/{workflow.pk}/retry/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "recording_empty"


@pytest.mark.parametrize("step", ["%C2%B2", "99999999999999999999999", "-1"])
def test_workflow_detail_ignores_a_saved_step_that_is_no_number(
    owner_client, workflow, step
):
    response = owner_client.get(f"/workflows/{workflow.pk}/?step={step}")

    assert response.status_code == HTTPStatus.OK
    assert "Saved as a new version." not in response.content.decode()


@pytest.mark.parametrize("workflow_id", ["²", "99999999999999999999999"])
def test_system_rule_list_ignores_a_back_workflow_that_is_no_id(
    owner_client, workflow_id
):
    response = owner_client.get(
        "/workflows/systems/", {"next": "/workflows/", "workflow": workflow_id}
    )

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<a href="/workflows/">Back to the page you came from</a>' in page
    assert 'name="workflow"' not in page


def _shown(owner_client, api_client, workflow):
    """Return the workflow's state as its page, the dashboard and the API
    show it, and its page."""
    page = owner_client.get(f"/workflows/{workflow.pk}/").content.decode()
    state = re.search(r'id="workflow-state"[^>]*data-state="(\w+)"', page)[1]
    dashboard = owner_client.get("/dashboard/status/").json()
    (item,) = [i for i in dashboard["items"] if i["key"] == f"workflow:{workflow.pk}"]
    api = api_client.get(f"/api/v1/workflows/{workflow.pk}/").json()
    return (state, item["state"], item["busy"], api["state"]), api, page


def test_a_build_stopped_by_an_unexpected_error_shows_failed_everywhere(
    owner_client, api_client, organization, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    build_raising(monkeypatch, workflow.reference_run, KeyError("steps[3]"))

    states, api, page = _shown(owner_client, api_client, workflow)

    assert states == ("failed", "failed", False, "failed")
    reason = (
        "The build stopped on an unexpected error. Try again; if it stops "
        "again, the worker&#x27;s log says why."
    )
    assert f'<p class="error-message" data-reason>{reason}</p>' in page
    assert api["failure_reason"] == unescape(reason)
    assert "steps[3]" not in page and "KeyError" not in page
    assert "<progress" not in page
    assert page.count(f'action="/workflows/{workflow.pk}/retry/"') == 1
    assert "Builds the SOP again from the reference run's recording." in page


def test_a_failed_added_run_is_named_and_is_what_try_again_builds(
    owner_client, api_client, organization, workflow, monkeypatch
):
    added = import_another_outage(organization)
    services.workflow_generate(
        organization=organization, recording=added, workflow=workflow
    )
    run = selectors.run_for_recording(organization=organization, recording=added)
    build_failed(monkeypatch, workflow, run=run)

    states, api, page = _shown(owner_client, api_client, workflow)
    tried = owner_client.post(f"/workflows/{workflow.pk}/retry/")

    assert states == ("failed", "failed", False, "failed")
    assert api["version"] == 1
    assert api["failure_reason"] == (
        "The run of “Berlin office lost network access” was not built. The map broke."
    )
    assert "Builds the run marked Failed below again." in page
    assert (
        "reference run"
        not in page.split('id="workflow-state"')[1].split("</section>")[0]
    )
    assert tried.status_code == HTTPStatus.FOUND
    run.refresh_from_db()
    workflow.reference_run.refresh_from_db()
    assert (run.generation, workflow.reference_run.generation) == (2, 1)


def test_a_run_added_to_a_failed_workflow_shows_its_version_and_what_failed(
    owner_client, api_client, organization, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    build_failed(monkeypatch, workflow)
    build_sample(organization, import_another_outage(organization), workflow=workflow)

    states, api, page = _shown(owner_client, api_client, workflow)

    assert states == ("failed", "failed", False, "failed")
    assert api["version"] == 1
    assert 'href="#sop"' in page and "Set Priority" in page
    assert "Builds the run marked Failed below again." in page


def test_a_workflow_whose_runs_all_failed_says_try_again_builds_them_all(
    owner_client, api_client, organization, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    added = import_another_outage(organization)
    services.workflow_generate(
        organization=organization, recording=added, workflow=workflow
    )
    run = selectors.run_for_recording(organization=organization, recording=added)
    build_failed(monkeypatch, workflow)
    build_failed(monkeypatch, workflow, run=run)

    states, api, page = _shown(owner_client, api_client, workflow)
    owner_client.post(f"/workflows/{workflow.pk}/retry/")

    assert states == ("failed", "failed", False, "failed")
    assert api["failure_reason"] == ("The map broke. 1 other run was not built either.")
    assert (
        "Builds the SOP again from the reference run's recording, and the other "
        "run marked Failed below." in page
    )
    run.refresh_from_db()
    workflow.reference_run.refresh_from_db()
    assert (run.generation, workflow.reference_run.generation) == (2, 2)


def test_rewording_a_step_as_it_reads_makes_no_version(owner_client, workflow):
    step = workflow.current_version.steps[3]

    response = owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": step["ref"], "text": step["text"]},
        follow=True,
    )

    workflow.refresh_from_db()
    page = response.content.decode()
    assert workflow.current_version.number == 1
    assert workflow.edits == []
    assert "Nothing changed: the step already reads so." in page
    assert "Saved as a new version." not in page
