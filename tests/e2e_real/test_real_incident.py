"""The main job on real input: one incident, recorded by the real extension.

Chromium with the project's extension works a VPN outage in django-helpdesk
and Prometheus; the extension uploads to a live Ledgerium server on
PostgreSQL, a real Celery worker generates the workflow, and every output is
checked against what the agent did and typed.
"""

import html
import json
import re
import time
import urllib.request

import msgspec
import pytest

from apps.recordings import format
from apps.recordings.models import Recording, RecordingStatus
from apps.recordings.selectors import recording_events
from apps.reports.exports import step_timings_csv, traces_xes
from apps.reports.report import build_report
from apps.workflows import documents, selectors, services
from apps.workflows.models import State
from tests import factories
from tests.e2e_real import browser, incident, leaks, outputs

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow]

READY_TIMEOUT_S = 120


@pytest.fixture
def recorded_run(
    transactional_db,
    live_server,
    celery_worker,
    organization,
    owner,
    helpdesk,
    prometheus,
    playwright,
    agent_page_factory,
    tmp_path,
):
    """Record the incident through the extension; return the ready workflow."""
    membership = organization.memberships.get(user=owner)
    services.system_rule_create(
        membership=membership, host_pattern=helpdesk.host, name="Helpdesk", kind="itsm"
    )
    services.system_rule_create(
        membership=membership,
        host_pattern=prometheus.host,
        name="Prometheus",
        kind="monitoring",
    )
    token = factories.api_token_for(organization=organization, user=owner)

    context, extension_id = browser.launch(
        playwright,
        profile=tmp_path / "profile",
        extension=browser.extension_copy(),
    )
    try:
        recorder = browser.ExtensionRecorder(context, extension_id)
        recorder.connect(live_server.url, token)
        page = agent_page_factory(context)
        started = recorder.start(page, title=incident.TITLE)
        marks = {}
        outcome = incident.perform(
            page,
            helpdesk=helpdesk.origin,
            prometheus=prometheus.origin,
            recorder=recorder,
        )
        recorder.stop()
        recorder.finish()
    finally:
        context.close()

    recording = wait_for_recording(organization, started["recording"]["id"])
    workflow = wait_for_workflow(organization, recording)
    for event in recording_events(recording=recording):
        if event.type == format.EventType.PHASE_MARKED:
            marks[event.phase.value] = event.ts
    return {
        "outcome": outcome,
        "recording": recording,
        "workflow": workflow,
        "version": workflow.current_version,
        "marks": marks,
        "token": token,
        "server": live_server.url,
        "tmp": tmp_path,
    }


def wait_for_recording(organization, recording_id):
    deadline = time.monotonic() + READY_TIMEOUT_S
    recording = None
    while time.monotonic() < deadline:
        recording = Recording.objects.filter(
            organization=organization, id=recording_id
        ).first()
        if recording and recording.status == RecordingStatus.FINISHED:
            return recording
        time.sleep(0.2)
    raise AssertionError(f"Recording {recording_id} never finished: {recording}")


def wait_for_workflow(organization, recording):
    deadline = time.monotonic() + READY_TIMEOUT_S
    run = None
    while time.monotonic() < deadline:
        run = selectors.run_for_recording(
            organization=organization, recording=recording
        )
        if run is not None:
            workflow = selectors.workflow_get(
                organization=organization, workflow_id=run.workflow_id
            )
            if workflow.state == State.FAILED:
                raise AssertionError(f"Generation failed: {workflow.failure_reason}")
            version = workflow.current_version
            if version is not None and version.render_state == State.READY:
                return workflow
        time.sleep(0.5)
    raise AssertionError(f"The workflow was not ready in time; run: {run}")


def api_get(run, path):
    request = urllib.request.Request(
        f"{run['server']}/api/v1/{path}",
        headers={"Authorization": f"Bearer {run['token']}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def decisions_in(document, phase):
    return [
        step["decision"]
        for section in document["phases"]
        if section["phase"] == phase
        for step in section["steps"]
        if step["decision"]
    ]


def steps_in(document, phase):
    for section in document["phases"]:
        if section["phase"] == phase:
            return section["steps"]
    return []


def map_labels(mermaid):
    """Return each line of every node label, as Mermaid will print it."""
    found = re.findall(r'\["([^"]+)"\]|\("([^"]+)"\)|\{"([^"]+)"\}', mermaid)
    lines = []
    for group in found:
        label = next(part for part in group if part)
        for line in re.split(r"<br\s*/?>", label):
            text = " ".join(html.unescape(line).replace("\u200b", "").split())
            if text:
                lines.append(text)
    return lines


def test_real_incident_is_documented_and_keeps_typed_text_private(recorded_run):
    failures = documentation_failures(recorded_run)
    failures += privacy_failures(recorded_run)

    assert failures == []
    write_examples(recorded_run)


def documentation_failures(run):
    """Return what is wrong with the SOP, the report and the PDF's map."""
    version = run["version"]
    document = version.document
    choices = run["outcome"].choices
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    # The SOP: five phases in order, triage decisions, systems, the note.
    phases = [section["phase"] for section in document["phases"]]
    check(phases == list(incident.PHASES), f"phases: {phases}")
    values = [decision["value"] for decision in decisions_in(document, "triage")]
    for wanted in (choices.priority, choices.queue, choices.owner):
        check(wanted in values, f"triage decision {wanted!r} missing from {values}")
    investigated = {
        (step["system"], step["system_kind"])
        for step in steps_in(document, "investigate")
    }
    check(("Prometheus", "monitoring") in investigated, f"investigate: {investigated}")
    check(("Helpdesk", "itsm") in investigated, f"investigate: {investigated}")
    systems = {(system["name"], system["kind"]) for system in document["systems"]}
    check(("Prometheus", "Monitoring and alerting") in systems, f"systems: {systems}")
    check(("Helpdesk", "ITSM") in systems, f"systems: {systems}")
    notes = [note["note"] for note in document["notes"]]
    check(incident.NOTE in notes, f"notes: {notes}")
    check(incident.NOTE in version.markdown, "the note is not in the Markdown")

    # The report: the phase times tile the resolution time.
    traces = selectors.workflow_traces(workflow=run["workflow"])
    report = build_report(traces)
    timing = report.run["timing"]
    split = timing["split"]
    check(
        sum(split.values()) == timing["resolution_ms"],
        f"split {split} does not add up to {timing['resolution_ms']}",
    )
    for phase in ("triage", "investigate", "resolve"):
        check(split[phase] > 0, f"no time in {phase}: {split}")
    marks = run["marks"]
    check(
        timing["resolution_ms"] <= marks["close"] - marks["log"] + 1000,
        f"resolution {timing['resolution_ms']} ms is longer than log to close {marks}",
    )
    check(
        timing["resolution_ms"] >= marks["resolve"] - marks["triage"],
        f"resolution {timing['resolution_ms']} ms is shorter than triage to resolve",
    )

    # The map renders in the PDF: its labels are text there.
    text = outputs.pdf_text(bytes(version.pdf), run["tmp"])
    flat = " ".join(text.split())
    labels = map_labels(version.mermaid)
    check(labels, f"no labels found in the map: {version.mermaid[:300]}")
    missing = [label for label in labels if " ".join(label.split()) not in flat]
    check(not missing, f"map labels not in the PDF text: {missing}\n{flat[:3000]}")
    return failures


def privacy_failures(run):
    """Return every typed marker found in the database or an export."""
    version = run["version"]
    markers = list(run["outcome"].typed.markers.values())
    traces = selectors.workflow_traces(workflow=run["workflow"])
    recording_id = run["recording"].pk
    exports = {
        "sop.pdf.txt": outputs.pdf_text(bytes(version.pdf), run["tmp"]).encode(),
        "sop.md": version.markdown.encode(),
        "sop.html": version.html.encode(),
        "sop-export.html": documents.export_html(
            version=version, organization_name=run["workflow"].organization.name
        ).encode(),
        "map.mmd": version.mermaid.encode(),
        "map.svg": version.svg.encode(),
        "map.bpmn": version.bpmn.encode(),
        "steps.csv": step_timings_csv(traces).encode(),
        "steps.xes": traces_xes(traces).encode(),
        "recording.json": api_get(run, f"recordings/{recording_id}/export.json"),
        "recording.xes": api_get(run, f"recordings/{recording_id}/export.xes"),
        "report.json": json.dumps(build_report(traces).to_dict()).encode(),
    }

    failures = [
        f"typed text {marker} in the export {name}"
        for name, marker in leaks.bytes_hits(exports, markers)
    ]
    failures += [
        f"typed text {marker} in the database at {table}.{column}"
        for table, column, marker in leaks.database_hits(markers)
    ]
    # The scan is not blind: the agent's own note is stored and exported.
    if not leaks.database_hits([incident.NOTE]):
        failures.append("the note is not found in the database: the scan is blind")
    if not leaks.bytes_hits(exports, [incident.NOTE]):
        failures.append("the note is not found in any export: the scan is blind")
    run["recording_json"] = exports["recording.json"]
    return failures


def write_examples(run):
    """Write the PDF pages, the Markdown and the sample recording."""
    version, recording_json = run["version"], run["recording_json"]
    examples, samples = outputs.destinations()
    pages = outputs.write_pages(bytes(version.pdf), examples)
    assert pages, "pdftoppm wrote no page"
    outputs.write_text(examples, outputs.MARKDOWN_NAME, version.markdown)

    document = msgspec.json.decode(recording_json, type=format.Recording)
    sample = msgspec.json.format(msgspec.json.encode(document), indent=2)
    outputs.write_text(samples, outputs.SAMPLE_NAME, sample.decode())
