from pathlib import Path

import msgspec

from apps.recordings import format
from apps.workflows.phases import assign_phases
from apps.workflows.steps import build_steps
from tests.workflows import recording_factory as rf
from tests.workflows.recording_factory import GRAFANA, SNOW, RecordingBuilder


def _phases(builder, overrides=None):
    steps = assign_phases(build_steps(builder.events), overrides=overrides)
    return [(step.text, step.phase, step.phase_source) for step in steps]


def test_assign_phases_sample_covers_all_five_phases_in_order():
    recording = rf.network_outage()
    steps = assign_phases(build_steps(recording.events))
    seen = []
    for step in steps:
        if step.phase not in seen:
            seen.append(step.phase)

    assert seen == ["log", "triage", "investigate", "resolve", "close"]


def test_assign_phases_rules_follow_the_incident():
    b = RecordingBuilder()
    incident = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.nav(SNOW, "/incident.do/new", "Create Incident | ServiceNow", tab=1)
    b.nav(GRAFANA, "/d/a", "Uplink - Grafana", tab=2)
    b.choose("Priority", "2 - High", **incident)
    b.nav(GRAFANA, "/d/b", "Errors - Grafana", tab=2)
    b.choose("State", "Resolved", **incident)
    b.choose("State", "Closed", after=5_000, tab=3, origin=SNOW, path="/incident.do/1")

    assert [phase for _text, phase, _source in _phases(b)] == [
        "log",
        "triage",
        "triage",
        "investigate",
        "resolve",
        "close",
    ]


def test_assign_phases_recorder_mark_overrides_the_rules():
    b = RecordingBuilder()
    b.phase("investigate")
    b.nav(SNOW, "/incident.do/new", "Create Incident | ServiceNow", tab=1)

    assert _phases(b) == [("Create a new record in ServiceNow", "investigate", "mark")]


def test_assign_phases_editor_override_wins():
    b = RecordingBuilder()
    b.phase("investigate")
    b.nav(SNOW, "/incident.do/new", "Create Incident | ServiceNow", tab=1)
    ref = build_steps(b.events)[0].ref

    assert _phases(b, {ref: "log"})[0][1:] == ("log", "editor")


REAL_INCIDENT = (
    Path(__file__).resolve().parents[2]
    / "apps"
    / "recordings"
    / "samples"
    / "real-incident.json"
)


def test_assign_phases_mark_holds_over_the_rules_in_the_real_incident():
    recording = msgspec.json.decode(REAL_INCIDENT.read_bytes(), type=format.Recording)
    steps = assign_phases(build_steps(recording.events))
    logged = {step.text: step.phase for step in steps if step.mark == "log"}

    assert logged["Choose the queue"] == "log"
    assert logged["Enter Summary of the problem"] == "log"
    assert logged["Enter Description of your issue"] == "log"
    assert logged["Submit the form with Submit Ticket"] == "log"
    assert all(step.phase == step.mark for step in steps if step.mark)


def test_assign_phases_mark_holds_until_the_next_mark():
    b = RecordingBuilder()
    incident = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.nav(SNOW, "/incident.do/1", "INC0012345 | ServiceNow", tab=1)
    b.phase("resolve")
    b.choose("State", "Closed", **incident)
    b.choose("Priority", "2 - High", **incident)
    b.phase("close")
    b.choose("Close code", "Solved", **incident)

    assert [(phase, source) for _text, phase, source in _phases(b)] == [
        ("log", "rule"),
        ("resolve", "mark"),
        ("resolve", "mark"),
        ("close", "mark"),
    ]
