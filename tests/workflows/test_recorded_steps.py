"""The report measures what a run recorded, whatever the SOP editor changed."""

import importlib

import msgspec
import pytest
from django.apps import apps as django_apps
from django.template.loader import render_to_string

from apps.reports.rendering import report_context
from apps.sharing.names import without_names
from apps.workflows import selectors, services
from apps.workflows.models import Run
from apps.workflows.pipeline import generate, report_steps
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_sample

HUDDLE = "communication:click:huddle#1"  # 90 s of investigation
IDLE = "itsm:wait:idle#1"  # a 10 min wait while resolving
PROMETHEUS = ("monitoring:open:home#1", "monitoring:search:expression#1")
PRIORITY = "itsm:set:priority#1"
DASHBOARD = "monitoring:open:core-network#1"  # the first triage lookup
NOTE = "communication:note:note#1"  # names who was called

CONTENT_EDITS = [
    {"op": "delete", "ref": HUDDLE},
    {"op": "delete", "ref": IDLE},
    {"op": "merge", "ref": PROMETHEUS[0], "with": PROMETHEUS[1]},
    {"op": "reword", "ref": PRIORITY, "text": "Raise the priority"},
]


def _generate(recording, **options):
    return generate(
        recording.events, privacy=msgspec.to_builtins(recording.privacy), **options
    )


def _build(run):
    run.refresh_from_db()
    services.run_build(run=run, generation=run.generation)


def _edit(workflow, membership, edit):
    services.workflow_edit(membership=membership, workflow=workflow, edit=edit)
    workflow.refresh_from_db()


def _edit_and_regenerate(workflow, membership, edits):
    for edit in edits:
        _edit(workflow, membership, edit)
    run = services.workflow_regenerate(membership=membership, workflow=workflow)
    _build(run)
    workflow.refresh_from_db()
    return workflow


def _measured(workflow):
    """Return what the report measured of the workflow's one run."""
    run = selectors.workflow_report(workflow=workflow).runs[0]
    return {
        "timing": run["timing"],
        "steps": len(run["steps"]),
        "step_ms": sum(step["duration_ms"] for step in run["steps"]),
        "labels": [step["label"] for step in run["steps"]],
        "systems": run["systems"],
    }


def _phases(workflow):
    (trace,) = selectors.workflow_traces(workflow=workflow)
    return {activity.evidence: activity.phase for activity in trace.activities}


def test_generate_records_the_steps_without_the_edits():
    recording = rf.network_outage()
    plain = _generate(recording)

    edited = _generate(
        recording,
        edits=[*CONTENT_EDITS, {"op": "move_phase", "ref": DASHBOARD, "phase": "log"}],
    )

    assert edited.recorded == plain.recorded
    refs = [step["ref"] for step in edited.steps]
    assert HUDDLE not in refs and HUDDLE in [s["ref"] for s in edited.recorded]


def test_report_steps_apply_only_the_phase_moves_and_rewording():
    recorded = _generate(rf.network_outage()).recorded
    moved = {"op": "move_phase", "ref": DASHBOARD, "phase": "investigate"}

    steps = report_steps(recorded, edits=[*CONTENT_EDITS, moved])

    assert sorted(step.ref for step in steps) == sorted(s["ref"] for s in recorded)
    by_ref = {step.ref: step for step in steps}
    assert by_ref[DASHBOARD].phase == "investigate"
    assert by_ref[PRIORITY].text == "Raise the priority"
    assert by_ref[PRIORITY].key == "itsm:set:priority"
    assert by_ref[PRIORITY].decision.value == "2 - High"
    assert by_ref[HUDDLE].duration_ms == 90_000
    assert [step.phase for step in steps] == sorted(
        (step.phase for step in steps),
        key=("log", "triage", "investigate", "resolve", "close").index,
    )


def test_workflow_edit_deletes_from_the_sop_but_not_from_the_report(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    before = _measured(workflow)
    sop_before = workflow.current_version.document["duration_ms"]

    workflow = _edit_and_regenerate(workflow, membership, CONTENT_EDITS)

    sop = workflow.current_version
    assert sop.reason == "regenerated"
    assert {HUDDLE, IDLE, PROMETHEUS[1]}.isdisjoint(s["ref"] for s in sop.steps)
    assert sop.document["duration_ms"] == sop_before - 690_000
    after = _measured(workflow)
    reworded = before["labels"].index("Set Priority")
    before["labels"][reworded] = "Raise the priority"
    assert after == before
    run = Run.objects.get(pk=workflow.reference_run_id)
    assert run.step_count == before["steps"] == 53
    assert HUDDLE in [step["ref"] for step in run.steps]


def test_workflow_edit_phase_move_reaches_the_report_at_once(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    before = _measured(workflow)
    ref_evidence = {
        s["ref"]: tuple(s["evidence"]) for s in workflow.reference_run.steps
    }
    assert _phases(workflow)[ref_evidence[DASHBOARD]] == "triage"

    _edit(
        workflow,
        membership,
        {"op": "move_phase", "ref": DASHBOARD, "phase": "investigate"},
    )

    after = _measured(workflow)
    assert _phases(workflow)[ref_evidence[DASHBOARD]] == "investigate"
    assert after["timing"]["split"]["triage"] < before["timing"]["split"]["triage"]
    assert after["timing"]["resolution_ms"] == before["timing"]["resolution_ms"]
    assert (after["steps"], after["step_ms"]) == (before["steps"], before["step_ms"])


def _report_html(workflow):
    report = selectors.workflow_report(workflow=workflow)
    return render_to_string(
        "reports/_report.html", {"report_view": report_context(report)}
    )


def test_workflow_edit_rewording_reaches_the_report_labels_only(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    before = _measured(workflow)
    recorded = "Called the Berlin site lead"
    assert recorded in _report_html(workflow)

    _edit(
        workflow,
        membership,
        {"op": "reword", "ref": NOTE, "text": "Call the site lead"},
    )

    html = _report_html(workflow)
    assert "Call the site lead" in html and recorded not in html
    after = _measured(workflow)
    assert after["labels"] != before["labels"]
    del after["labels"], before["labels"]
    assert after == before
    run = Run.objects.get(pk=workflow.reference_run_id)
    assert any(step["text"].startswith(f"Note: {recorded}") for step in run.steps)


def test_workflow_report_conformance_follows_the_sop(organization, owner, outage):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)

    workflow = _edit_and_regenerate(
        workflow, membership, [{"op": "delete", "ref": HUDDLE}]
    )

    approved = {step["key"] for step in workflow.current_version.steps}
    assert "communication:click:huddle" not in approved
    (run,) = selectors.workflow_report(workflow=workflow).conformance
    # The huddle was recorded but is no longer in the SOP.
    assert run["added"] == ["communication:click:huddle"]
    assert run["missing"] == []


@pytest.mark.django_db
def test_migration_records_the_steps_of_runs_built_with_edits(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    workflow = _edit_and_regenerate(workflow, membership, CONTENT_EDITS)
    run = Run.objects.get(pk=workflow.reference_run_id)
    recorded = (run.steps, run.step_count, run.duration_ms)
    # What a run built before the change stored: the SOP as edited.
    edited = workflow.current_version.steps
    Run.objects.filter(pk=run.pk).update(
        steps=edited, step_count=len(edited), duration_ms=1
    )
    migration = importlib.import_module(
        "apps.workflows.migrations.0002_run_recorded_steps"
    )

    migration.record_steps(django_apps, None)

    run.refresh_from_db()
    assert (run.steps, run.step_count, run.duration_ms) == recorded


def test_shared_report_reads_the_rewording_without_names(organization, owner, outage):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    reworded = {"op": "reword", "ref": NOTE, "text": "Call Dana Wright on site"}
    _edit(workflow, membership, reworded)

    (trace,) = selectors.workflow_traces(
        workflow=workflow,
        rewrite=lambda value: without_names(value, {"Dana Wright": "Assignee A"}),
    )

    labels = [activity.label for activity in trace.activities]
    assert "Call Assignee A on site" in labels
    assert not [label for label in labels if "Dana Wright" in label]
