import xml.etree.ElementTree as ET

import msgspec
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.workflows import documents
from apps.workflows.phases import PHASES
from apps.workflows.pipeline import generate
from apps.workflows.sop import PHASE_TIMES
from tests.workflows import recording_factory as rf

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


def _generate(recording, **options):
    return generate(
        recording.events,
        title=recording.title,
        agent=recording.agent,
        privacy=msgspec.to_builtins(recording.privacy),
        organization="Acme IT",
        version=1,
        **options,
    )


def _bytes(generated):
    return (
        msgspec.json.encode(generated.steps),
        generated.markdown.encode(),
        generated.mermaid.encode(),
        generated.bpmn,
    )


def test_generate_five_phase_sample_yields_an_sop_with_decisions():
    sop = _generate(rf.network_outage()).sop

    assert [phase.phase for phase in sop.phases] == [
        "log",
        "triage",
        "investigate",
        "resolve",
        "close",
    ]
    assert sop.title == "Berlin office lost network access"
    assert sop.decision_rules[0] == (
        "Before you decide Impact, Urgency, Priority, Category, Subcategory, "
        "Assignment group and Assigned to, look at Core network in Grafana and "
        "Berlin site uplink in Grafana."
    )
    assert (
        "Set Priority from Impact and Urgency: in the recording, 2 - Medium "
        "and 1 - High gave 2 - High." in sop.decision_rules
    )
    # A team or a person chosen is the recording's example; the field is the role.
    assert sop.roles[1:] == (
        (
            "Assignment group",
            "The team the incident is handed to (in the recording: Network).",
        ),
        (
            "Assigned to",
            "The person who owns the incident (in the recording: Dana Wright).",
        ),
    )
    assert [name for name, _kind, _count in sop.systems] == [
        "ServiceNow",
        "Grafana",
        "Prometheus",
        "Kibana",
        "Slack",
        "Network admin console",
    ]
    assert sop.notes[0][0] == "Investigate"
    assert "Fields not recorded at all: password." in sop.not_observed
    assert sop.facts["severity"] == "2 - High"
    steps = [step for phase in sop.phases for step in phase.steps]
    numbers = [step.number for step in steps if step.kind != "wait"]
    assert numbers == list(range(1, sop.step_count + 1))
    assert [step.number for step in steps if step.kind == "wait"] == [None]


def test_generate_markdown_lists_every_phase_and_the_withheld_value():
    markdown = _generate(rf.network_outage()).markdown

    for heading in (
        "### Log",
        "### Triage",
        "### Investigate",
        "### Resolve",
        "### Close",
    ):
        assert heading in markdown
    assert "Enter Password (value withheld)" in markdown
    assert (
        "**Decision:** Set Priority — ServiceNow, 4 s, in the recording: 2 - High"
        in (markdown)
    )
    assert "\\. Set the state to Closed — ServiceNow" in markdown


def test_generate_markdown_says_what_a_phase_time_spans():
    markdown = _generate(rf.network_outage()).markdown

    steps = markdown.split("## Steps (", 1)[1]
    # Said once, before the first phase, where the times begin.
    assert steps.index(PHASE_TIMES) < steps.index("### Log (")
    assert markdown.count(PHASE_TIMES) == 1


def test_generate_is_byte_identical_on_a_second_run():
    recording = rf.network_outage()

    assert _bytes(_generate(recording)) == _bytes(_generate(recording))


@hsettings(max_examples=30, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=10_000),
    hostile=st.booleans(),
)
def test_generate_is_deterministic_for_any_recording(size, seed, hostile):
    first = _bytes(_generate(rf.synthetic(size, seed=seed, hostile=hostile)))
    again = _bytes(_generate(rf.synthetic(size, seed=seed, hostile=hostile)))

    assert first == again


def test_generate_bpmn_is_valid_xml_with_a_shape_for_every_node():
    root = ET.fromstring(_generate(rf.network_outage()).bpmn)

    process = root.find(f"{BPMN}process")
    nodes = [
        element.get("id")
        for element in process
        if element.tag.split("}")[1]
        in ("startEvent", "endEvent", "userTask", "exclusiveGateway")
    ]
    shapes = {s.get("bpmnElement") for s in root.iter(f"{BPMNDI}BPMNShape")}
    flows = process.findall(f"{BPMN}sequenceFlow")
    edges = {e.get("bpmnElement") for e in root.iter(f"{BPMNDI}BPMNEdge")}
    lanes = [lane.get("name") for lane in process.iter(f"{BPMN}lane")]

    assert set(nodes) <= shapes
    assert {flow.get("id") for flow in flows} == edges
    assert len(flows) == len(nodes) - 1
    assert lanes == ["Log", "Triage", "Investigate", "Resolve", "Close"]
    gateway_out = [
        f.get("name") for f in flows if f.get("sourceRef").startswith("Gateway_")
    ]
    assert "2 - High" in gateway_out


def test_generate_bpmn_keeps_its_prefixes_after_a_pdf_library_registers_its_own():
    """WeasyPrint registers "" and "dc" with ElementTree when a PDF is made."""
    import weasyprint.pdf.metadata  # noqa: F401

    bpmn = _generate(rf.network_outage()).bpmn.decode()

    assert bpmn.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_1"'
    )
    assert "<dc:Bounds " in bpmn
    assert "ns0:" not in bpmn


def test_generate_bpmn_survives_hostile_labels():
    generated = _generate(rf.synthetic(200, seed=7, hostile=True))

    root = ET.fromstring(generated.bpmn)
    names = {element.get("name") for element in root.iter() if element.get("name")}
    assert any("<script>" in name for name in names)


def test_generate_applies_edits_and_reports_those_it_could_not():
    recording = rf.network_outage()
    plain = _generate(recording)
    first, second = plain.steps[0]["ref"], plain.steps[1]["ref"]
    edits = [
        {"op": "reword", "ref": first, "text": "Sign in to ServiceNow"},
        {"op": "delete", "ref": second},
        {"op": "move_phase", "ref": first, "phase": "triage"},
        {"op": "reword", "ref": "missing#1", "text": "x"},
    ]

    edited = _generate(recording, edits=edits)

    moved = next(step for step in edited.steps if step["ref"] == first)
    assert moved["text"] == "Sign in to ServiceNow"
    assert moved["phase"] == "triage"
    assert moved["edited"] is True
    # A step moved to a later phase is read, and numbered, with that phase.
    phases = [step["phase"] for step in edited.steps]
    assert edited.steps.index(moved) == phases.index("triage")
    assert second not in [step["ref"] for step in edited.steps]
    assert edited.skipped_edits == [edits[3]]


def test_generate_numbers_steps_in_phase_order_when_the_rules_reach_back():
    b = rf.RecordingBuilder()
    b.nav(rf.GRAFANA, "/d/network", "Network overview", after=0, tab=1)
    b.nav(rf.SNOW, "/incident.do", "New incident", after=30_000, tab=1)
    b.choose("Priority", "2 - High", tab=1, origin=rf.SNOW, path="/incident.do")
    recording = b.recording(id="5f0c7a2e-9d1b-4e63-8a47-3c2b6e1d9f80")

    generated = _generate(recording)

    phases = [step["phase"] for step in generated.steps]
    assert phases == sorted(phases, key=PHASES.index)
    assert generated.steps[0]["system_kind"] == "itsm"
    assert [s.number for p in generated.sop.phases for s in p.steps] == [1, 2, 3]


def test_generate_drops_characters_xml_cannot_hold_from_every_artefact():
    bad = "\ufffe\uffff\ud800\x01\x0b"
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, "/x", f"Queue{bad} board", after=0, tab=1)
    b.choose(f"Priority{bad}", f"1 - High{bad}", tab=1, origin=rf.SNOW, path="/x")
    b.note(f"called{bad} the team", tab=1, origin=rf.SNOW, path="/x")
    recording = b.recording(
        id="0d6c1e8f-5b7a-4c39-9e0f-2a6b1d4c7e92", title=f"Outage{bad}"
    )

    generated = _generate(recording)

    root = ET.fromstring(generated.bpmn)
    names = [element.get("name") or "" for element in root.iter()]
    assert any("Priority" in name for name in names)
    for text in (generated.bpmn.decode(), generated.mermaid, generated.markdown):
        assert not set(bad) & set(text)


def test_generate_drops_characters_xml_cannot_hold_from_edited_text():
    recording = rf.network_outage()
    first = _generate(recording).steps[0]["ref"]
    edits = [
        {"op": "reword", "ref": first, "text": "Sign in\uffff now"},
        {"op": "note", "ref": first, "text": "checked\ud800 twice"},
    ]

    edited = _generate(recording, edits=edits)

    ET.fromstring(edited.bpmn)
    assert edited.steps[0]["text"] == "Sign in now"
    assert "\ud800" not in edited.mermaid
    assert "\ud800" not in edited.markdown


def test_generate_says_one_step_not_one_steps():
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, "/incident.do/1", "INC0012345 | ServiceNow", after=0, tab=1)
    recording = b.recording(id="1c7e9a2b-5b7a-4c39-9e0f-2a6b1d4c7e93", title="One")

    generated = _generate(recording)

    assert generated.sop.basis == "Based on 1 recording: 1 action in 1 system."
    assert "Standard operating procedure, 1 step ·" in generated.markdown
    assert "ServiceNow (ITSM): 1 action\n" in generated.markdown
    assert "1 steps" not in generated.markdown


def test_generate_counts_steps_by_one_rule():
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, "/incident.do/1", "INC0012345 | ServiceNow", after=0, tab=1)
    b.note("Called the user back", after=5_000)
    b.nav(rf.SNOW, "/incident.do/2", "INC0012346 | ServiceNow", after=600_000)
    recording = b.recording(id="5d1f3c1e-2a47-4a0e-9b43-81f0d6a3c2b7", title="Two")

    generated = _generate(recording)
    sop = generated.sop

    # Two opens and a note are 3 steps in the header; the ten-minute silence
    # is a wait, noted between them but no step. The Purpose and the Systems
    # list count the 2 actions.
    assert sop.step_count == 3
    assert sop.purpose == (
        "Handle the logging of an incident, working in ServiceNow. At the end "
        "the incident is logged."
    )
    assert sop.basis == (
        "Based on 1 recording: 2 actions in 1 system, 1 note and 1 wait "
        "(10 min of the 10 min 5 s in the recording)."
    )
    assert sop.systems == (("ServiceNow", "itsm", 2),)
    # The note names no system; the wait begins at the note, so it took 0 s.
    assert (
        "2\\. *From the recording:* Called the user back — 0 s (event 2)"
        in generated.markdown
    )
    assert (
        "*Wait: no activity was recorded here (took 10 min in the recording)*  \n"
        "3\\. Open the incident in ServiceNow — ServiceNow, 0 s, "
        "in the recording: INC0012346 (event 3)"
    ) in generated.markdown


def test_generate_added_note_names_no_system_and_no_time():
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, "/incident.do/1", "INC0012345 | ServiceNow", after=0, tab=1)
    recording = b.recording(id="8e2b4f6a-1c3d-4e5f-9a7b-2c4d6e8f0a1b", title="One")
    first = _generate(recording).steps[0]["ref"]

    edited = _generate(recording, edits=[{"op": "note", "ref": first, "text": "Ask"}])

    assert "2\\. Note: Ask — added, not recorded  \n" in edited.markdown
    assert "events none" not in edited.markdown
    assert edited.sop.systems == (("ServiceNow", "itsm", 1),)
    assert edited.sop.basis == (
        "Based on 1 recording: 1 action in 1 system. The editors added 1 note."
    )
    assert edited.sop.notes == ()
    assert edited.sop.editor_notes == (("Log", "Ask"),)
    assert "## Notes from the editors\n\n- Log: Ask\n" in edited.markdown
    assert "flowchart" in edited.mermaid
    assert "Ask<br>added, not recorded" in edited.mermaid


def test_generate_reworded_decision_rule_says_the_step_reads_otherwise_now():
    b = rf.RecordingBuilder()
    page = {"tab": 1, "origin": rf.SNOW, "path": "/incident.do/1"}
    b.nav(rf.SNOW, "/incident.do/1", "INC0012345 | ServiceNow", after=0, tab=1)
    b.choose("Priority", "2 - High", **page)
    recording = b.recording(id="8e2b4f6a-1c3d-4e5f-9a7b-2c4d6e8f0a1c", title="One")
    ref = _generate(recording).steps[1]["ref"]

    edits = [
        {"op": "reword", "ref": ref, "text": "Set Priority from the matrix"},
        {"op": "note", "ref": ref, "text": "Ask"},
    ]
    edited = _generate(recording, edits=edits)

    # The rule reads as the step now does, the recorded value its example.
    assert edited.sop.decision_rules == (
        "Set Priority from the matrix: in the recording, 2 - High.",
    )
    html = documents.render_html(
        document=documents.document_data(edited.sop), workflow_id=None, version_number=1
    )
    assert "added, not recorded</span>" in html
    assert "Set Priority from the matrix</span>" in html
    assert html.count("· edited") == 1
