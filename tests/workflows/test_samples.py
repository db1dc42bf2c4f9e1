"""Every sample recording generates an SOP that reads in order.

Generated with the demo organization's system rules, as ``make demo`` does.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec
import pytest
from django.conf import settings

from apps.recordings import format
from apps.web.management.commands.demo_setup import DEMO_SAMPLES, DEMO_SYSTEM_RULES
from apps.workflows import documents
from apps.workflows.phases import PHASES
from apps.workflows.pipeline import generate
from apps.workflows.steps import TICKET
from apps.workflows.systems import Rule

SAMPLES = Path(settings.BASE_DIR) / "apps" / "recordings" / "samples"
RULES = tuple(Rule(host, name, kind) for host, name, kind in DEMO_SYSTEM_RULES)
PATHS = sorted(SAMPLES.glob("*.json"))
# A record number as any ITSM shows one, or a key such as "LT-0417".
RECORD_NUMBER = re.compile(r"\b[A-Z]{2,6}\d{4,}\b|" + TICKET.pattern)


def _generate(path, **options):
    recording = msgspec.json.decode(path.read_bytes(), type=format.Recording)
    return generate(
        recording.events,
        title=recording.title,
        **options,
        agent=recording.agent,
        privacy=msgspec.to_builtins(recording.privacy),
        rules=RULES,
        organization="Demo Service Desk",
        version=1,
    )


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_generate_sample_numbers_steps_in_phase_order(path):
    generated = _generate(path)
    sop = generated.sop

    phases = [phase.phase for phase in sop.phases]
    assert phases == [phase for phase in PHASES if phase in phases]
    numbers = [step.number for phase in sop.phases for step in phase.steps]
    assert [number for number in numbers if number] == list(
        range(1, sop.step_count + 1)
    )
    assert generated.markdown.startswith(f"# {sop.title}\n")
    for phase in sop.phases:
        assert f"\n### {phase.title} (" in generated.markdown
    assert "flowchart" in generated.mermaid
    ET.fromstring(generated.bpmn)


@pytest.mark.parametrize("name", [name for name, _joins in DEMO_SAMPLES])
def test_generate_demo_sample_knows_every_system_and_all_five_phases(name):
    sop = _generate(SAMPLES / name).sop

    assert [kind for _name, kind, _count in sop.systems if kind == "other"] == []
    assert [phase.phase for phase in sop.phases] == list(PHASES)
    assert sop.decision_rules
    assert sop.notes


def _instructions(generated):
    """Return every step's words in the SOP and the map, waits and notes aside.

    A note is the agent's own words, quoted; it may name what it likes.
    """
    steps = [step for phase in generated.sop.phases for step in phase.steps]
    texts = [step.full_text for step in steps if step.kind != "note"]
    labels = re.findall(r'\["(.*?)"\]|\("(.*?)"\)|\{\{"(.*?)"\}\}', generated.mermaid)
    return texts + [part for label in labels for part in label if part]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generate_sample_gives_no_record_number_as_an_instruction(path):
    generated = _generate(path)
    markdown_steps = re.findall(r"^\d+\\\. (.*?) — ", generated.markdown, re.M)

    assert [
        text
        for text in _instructions(generated) + markdown_steps
        if RECORD_NUMBER.search(text)
    ] == []


def test_generate_sample_shows_the_record_number_once_as_an_example():
    sop = _generate(SAMPLES / "vpn-certificate-rotation.json").sop
    steps = [step for phase in sop.phases for step in phase.steps]

    examples = [
        (step.number, step.example)
        for step in steps
        if step.example and step.decision is None
    ]

    assert examples == [(11, "INC0048213"), (23, "vpn-gw-01")]
    assert "Switch to the incident in IT Service Desk" in steps[10].text


def test_generate_sample_gives_the_choice_to_make_and_the_value_as_example():
    sop = _generate(SAMPLES / "mail-queue-backlog.json").sop
    steps = {
        step.number: (step.kind, step.full_text, step.example)
        for phase in sop.phases
        for step in phase.steps
    }

    assert steps[5] == (
        "decision",
        "Choose the configuration item",
        "mx-out-01",
    )
    assert steps[13] == ("decision", "Set Impact", "2 - Significant")
    assert steps[18] == ("decision", "Assign the owner", "Lena Fischer")
    assert steps[23] == ("lookup", "Open the relay in Admin console", "mx-out-02")
    assert steps[26] == ("action", "Tick Drain relay", "")
    assert steps[51] == ("action", "Set the state to Closed", "")
    # One sentence per set of lookups, one rule per decision.
    assert sop.decision_rules == (
        "Before you decide Configuration item, look at Alert rules in Grafana and "
        "Outbound mail queue above threshold in Grafana.",
        "Choose the configuration item: in the recording, mx-out-01.",
        "Before you decide Impact, Urgency, Priority, Category, Assignment group "
        "and Assigned to, look at Outbound mail queue above threshold in Grafana "
        "and Mail flow in Grafana.",
        "Set Impact: in the recording, 2 - Significant.",
        "Set Urgency: in the recording, 2 - Medium.",
        "Set Priority from Impact and Urgency: in the recording, 2 - Significant "
        "and 2 - Medium gave 3 - Moderate.",
        "Choose the category: in the recording, Email.",
        "Choose the assignment group: in the recording, Messaging.",
        "Assign the owner: in the recording, Lena Fischer.",
    )


def test_generate_sample_purpose_names_the_request():
    recording = SAMPLES / "laptop-recovery-key.json"
    kind = msgspec.json.decode(recording.read_bytes(), type=format.Recording).kind
    sop = _generate(recording, kind=kind).sop

    assert sop.purpose == (
        "Take a request from logging to closure, working in IT Service Desk and "
        "Admin console. At the end the request is resolved and closed in IT "
        "Service Desk."
    )
    assert sop.basis == (
        "Based on 1 recording: 21 actions in 2 systems, 2 notes and 1 wait "
        "(2 min 32 s of the 6 min 14 s in the recording)."
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generate_sample_names_no_person_as_a_role(path):
    recording = msgspec.json.decode(path.read_bytes(), type=format.Recording)
    sop = _generate(path).sop
    steps = [step for phase in sop.phases for step in phase.steps]
    values = {step.decision["value"] for step in steps if step.decision}

    names = [name for name, _role in sop.roles]
    assert names[0] == "Service-desk agent"
    assert not set(names) & (values | {recording.agent})
    assert all(
        "(in the recording: " in role or role == "Works through the steps."
        for _name, role in sop.roles
    )


def test_generate_sample_tells_the_recorded_notes_apart_from_the_steps():
    sop = _generate(SAMPLES / "vpn-certificate-rotation.json").sop
    steps = [step for phase in sop.phases for step in phase.steps]

    notes = [(step.number, step.aside) for step in steps if step.kind == "note"]
    assert notes == [(n, "From the recording") for n in (18, 21, 26, 30)]
    called = next(step for step in steps if step.number == 30)
    assert called.full_text.startswith("Called the caller back: she connected")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generate_sample_numbers_no_wait_and_numbers_run_on_across_waits(path):
    generated = _generate(path)
    steps = [step for phase in generated.sop.phases for step in phase.steps]
    document = documents.document_data(generated.sop)
    html = documents.render_html(document=document, workflow_id=1, version_number=1)

    waits = [step for step in steps if step.kind == "wait"]
    assert all(step.number is None for step in waits)
    numbered = [step.number for step in steps if step.kind != "wait"]
    assert numbered == list(range(1, len(numbered) + 1))
    # The Markdown, the web page and the map give a wait no number either.
    assert not re.search(r"^\d+\\\. Wait", generated.markdown, re.M)
    assert re.findall(r'id="step-(\d+)"', html) == [str(n) for n in numbered]
    assert not re.search(r'"\d+\. Wait', generated.mermaid)
    assert f"{len(numbered)} steps" in generated.markdown.split("\n")[2]


def test_generate_sample_wait_after_a_hand_off_says_whom_it_waited_for():
    generated = _generate(SAMPLES / "vpn-certificate-rotation.json")

    assert (
        "19\\. Save the incident (Update) — IT Service Desk, 1 s (events 26, 27, 28)  \n"
        "*Wait for Identity and Access to reply (took 41 min in the recording)*  \n"
    ) in generated.markdown


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generate_sample_is_the_same_every_time(path):
    first, second = _generate(path), _generate(path)

    assert first.markdown == second.markdown
    assert first.mermaid == second.mermaid
    assert first.bpmn == second.bpmn
    assert first.steps == second.steps
    assert documents.document_data(first.sop) == documents.document_data(second.sop)


def test_document_numbered_numbers_a_document_stored_with_numbered_waits():
    document = documents.document_data(_generate(SAMPLES / "network-outage.json").sop)
    steps = [step for phase in document["phases"] for step in phase["steps"]]
    # As stored before waits went unnumbered: every line numbered in order.
    numbers = iter(range(1, len(steps) + 1))
    old = {
        **document,
        "phases": [
            {
                key: value
                for key, value in {
                    **phase,
                    "steps": [
                        {**step, "number": next(numbers)} for step in phase["steps"]
                    ],
                }.items()
                if key != "start"
            }
            for phase in document["phases"]
        ],
        "step_count": len(steps),
    }

    assert documents.document_numbered(old) == document
    assert document["step_count"] == len(steps) - 1
    assert [phase["start"] for phase in document["phases"]] == [1, 9, 22, 31, 49]


def test_generate_sample_of_two_runs_marks_what_one_run_did_and_lists_values():
    second = _generate(SAMPLES / "vpn-certificate-rotation-second-run.json")
    generated = _generate(
        SAMPLES / "vpn-certificate-rotation.json", runs=[second.recorded]
    )
    sop = generated.sop
    steps = {step.number: step for phase in sop.phases for step in phase.steps}

    assert sop.basis == (
        "Based on 2 recordings. The steps are the reference recording's: 34 "
        "actions in 4 systems, 4 notes and 4 waits (1 h 32 min of the 1 h 41 min "
        "in the recording). The other recording took 11 steps not in it."
    )
    # Both runs opened the incident list; only the first created the record.
    assert (steps[1].full_text, steps[1].runs) == (
        "Open Incidents in IT Service Desk",
        "",
    )
    assert (steps[3].full_text, steps[3].runs) == ("Enter Caller", "in 1 of 2 runs")
    assert "3\\. Enter Caller — IT Service Desk, 5 s, in 1 of 2 runs (event 5)" in (
        generated.markdown
    )
    assert "Set Impact: in the recordings, 2 - Significant (2 of 2 runs)." in (
        sop.decision_rules
    )
    # The same runs in the same order give the same SOP, byte for byte.
    again = _generate(SAMPLES / "vpn-certificate-rotation.json", runs=[second.recorded])
    assert again.markdown == generated.markdown


def test_generate_sample_lists_each_value_the_runs_chose():
    second = _generate(SAMPLES / "vpn-certificate-rotation-second-run.json")
    recorded = [
        {**step, "decision": {**step["decision"], "value": "3 - Low"}}
        if step["ref"] == "itsm:set:impact#1"
        else step
        for step in second.recorded
    ]

    sop = _generate(SAMPLES / "vpn-certificate-rotation.json", runs=[recorded]).sop

    assert (
        "Set Impact: in the recordings, 2 - Significant (1 of 2 runs), 3 - Low "
        "(1 of 2 runs)." in sop.decision_rules
    )


def test_document_numbered_words_stored_durations_as_they_round_now():
    document = documents.document_data(_generate(SAMPLES / "network-outage.json").sop)
    # As stored when a duration past an hour was cut to the minute below.
    [phase, *_rest] = document["phases"]
    [step, *_steps] = phase["steps"]
    old = {
        **document,
        "duration_ms": 89 * 60_000 + 57_000,
        "duration": "1 h 29 min",
        "phases": [
            {
                **phase,
                "duration_ms": 2 * 3_600_000 - 20_000,
                "duration": "1 h 59 min",
                "steps": [{**step, "duration": "0 s"}, *_steps],
            },
            *_rest,
        ],
    }

    shown = documents.document_numbered(old)

    assert shown["duration"] == "1 h 30 min"
    assert shown["phases"][0]["duration"] == "2 h"
    assert shown["phases"][0]["steps"][0]["duration"] == step["duration"] == "7 s"


def test_generate_sample_waits_are_worded_as_part_of_the_headers_total():
    generated = _generate(SAMPLES / "vpn-certificate-rotation.json")
    sop = generated.sop

    # The header's total is every step's time, the waits' only part of it:
    # the Purpose must not call the waits' time the whole.
    assert "## Steps (1 h 41 min in the recording, Close included)" in (
        generated.markdown
    )
    assert sop.basis.endswith(
        "4 waits (1 h 32 min of the 1 h 41 min in the recording)."
    )
    assert "in all" not in sop.basis


def test_document_numbered_words_a_stored_basis_waits_as_part_of_the_total():
    document = documents.document_data(
        _generate(SAMPLES / "vpn-certificate-rotation.json").sop
    )
    # As stored when the waits' time read as if it were the whole.
    old = {
        **document,
        "basis": (
            "Based on 1 recording: 34 actions in 4 systems, 4 notes and 4 waits "
            "(1 h 32 min in all)."
        ),
    }

    shown = documents.document_numbered(old)

    assert shown["duration"] == "1 h 41 min"
    assert shown["basis"] == (
        "Based on 1 recording: 34 actions in 4 systems, 4 notes and 4 waits "
        "(1 h 32 min of the 1 h 41 min in the recording)."
    )
