from pathlib import Path

import msgspec
import pytest

from apps.recordings.format import FieldKind, Recording, SystemKind
from apps.workflows.phases import assign_phases
from apps.workflows.sop import format_duration
from apps.workflows.steps import (
    build_steps,
    rough_duration,
    step_from_dict,
    step_to_dict,
    wait_label,
)
from tests.workflows import recording_factory as rf
from tests.workflows.recording_factory import SNOW, RecordingBuilder

REAL_INCIDENT = (
    Path(__file__)
    .resolve()
    .parents[2]
    .joinpath("apps", "recordings", "samples", "real-incident.json")
)


class _Events:
    def __init__(self, events):
        self.events = events


def _steps(builder, **options):
    return assign_phases(build_steps(builder.events, **options))


def _texts(steps):
    return [step.text for step in steps]


def test_build_steps_names_the_incident_and_system():
    b = RecordingBuilder()
    b.nav(SNOW, "/incident.do/1", "INC0012345 | ServiceNow", tab=1)

    (step,) = _steps(b)

    assert step.text == "Open the incident in ServiceNow"
    assert step.ticket == "INC0012345"
    assert (step.system, step.system_kind) == ("ServiceNow", "itsm")
    assert step.evidence == (1,)


def test_build_steps_says_record_numbers_generically_in_every_step():
    b = RecordingBuilder()
    incident = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.nav(SNOW, "/incident.do/1", "INC0048213 | ServiceNow", tab=1)
    b.choose("Problem", "PRB0040012", **incident)
    b.click("Update", **incident).submit("Update", after=300, **incident)
    b.nav(SNOW, "/kb_view.do", "KB0010042 | ServiceNow", after=8_000, tab=2)
    b.click("RITM0031190", role="link", after=6_000, **incident)
    change = {"tab": 3, "origin": SNOW, "path": "/change/CHG0030001"}
    b.add("tab_switched", 6_000, **change)
    b.click("Approve", after=3_000, **change)
    b.add("tab_switched", 6_000, **incident)
    b.edit("Work notes for TASK0012001", after=4_000, **incident)

    texts = _texts(_steps(b))

    assert texts == [
        "Open the incident in ServiceNow",
        "Set the problem",
        "Save the incident (Update)",
        "Open the knowledge article in ServiceNow",
        "Open the request",
        "Switch to the change in ServiceNow",
        "Click Approve",
        "Switch to the incident in ServiceNow",
        "Enter Work notes for the task",
    ]


def test_build_steps_keeps_each_record_number_as_the_step_s_example():
    b = RecordingBuilder()
    b.nav(SNOW, "/incident.do/1", "INC0048213 | ServiceNow", tab=1)
    b.nav(SNOW, "/kb_view.do", "KB0010042 | ServiceNow", after=8_000, tab=2)
    b.add("tab_switched", 6_000, tab=1)

    steps = _steps(b)

    assert [step.ticket for step in steps] == ["INC0048213", "KB0010042", "INC0048213"]


def test_build_steps_names_a_keyed_record_by_the_path_it_sits_under():
    b = RecordingBuilder()
    admin = "https://acme.okta.com"
    b.nav(admin, "/devices", "Devices - Okta", tab=1)
    b.click("LT-0417", role="link", after=3_000, tab=1, origin=admin, path="/devices")
    b.nav(admin, "/devices/LT-0417", "LT-0417 - Okta", after=800, tab=1)
    b.edit("SHA-256 fingerprint", after=4_000, tab=1, origin=admin, path="/x")

    steps = _steps(b)

    assert _texts(steps)[1] == "Open the device in Okta"
    assert steps[1].ticket == "LT-0417"
    # A key that is not the whole name may be a standard's name: it stays.
    assert _texts(steps)[2] == "Enter SHA-256 fingerprint"


def test_build_steps_keeps_the_ref_of_a_step_worded_generically():
    b = RecordingBuilder()
    b.nav(SNOW, "/incident.do/1", "INC0048213 | ServiceNow", tab=1)
    b.add("tab_switched", 6_000, tab=2, origin=SNOW, path="/incident.do/2")
    b.add("tab_switched", 6_000, tab=1)

    refs = [step.ref for step in _steps(b)]

    # Refs leave ticket numbers out as they always have, so edits carry over.
    assert refs == ["itsm:open:incident#1", "itsm:switch:ticket#1"]


def test_build_steps_merges_redirects_into_where_they_land():
    b = RecordingBuilder()
    b.nav(SNOW, "/login", "Log in | ServiceNow", tab=1)
    b.nav(SNOW, "/portal", "Self-service | ServiceNow", after=800, nav="replace", tab=1)

    (step,) = _steps(b)

    assert step.text == "Open Self-service in ServiceNow"
    assert step.evidence == (1, 2)


def test_build_steps_merges_repeated_clicks_and_edits_of_one_field():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/x"}
    b.click("Refresh", **page).click("Refresh", **page).click("Refresh", **page)
    b.edit("Short description", **page).edit("Short description", **page)

    steps = _steps(b)

    assert _texts(steps) == ["Click Refresh", "Enter Short description"]
    assert [step.evidence for step in steps] == [(1, 2, 3), (4, 5)]


def test_build_steps_keeps_every_decision_with_its_value_and_topic():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.choose("Priority", "2 - High", **page)
    b.choose("Assignment group", "Network", **page)
    b.choose("Assigned to", "Dana Wright", **page)
    b.choose("State", "In Progress", **page)
    b.choose("Category", "Network", **page)
    b.choose("Time range", "Last 6 hours", **page)

    steps = _steps(b)

    assert _texts(steps) == [
        "Set Priority",
        "Choose the assignment group",
        "Assign the owner",
        "Set the state to In Progress",
        "Choose the category",
        "Set the time range",
    ]
    assert [step.decision.value for step in steps] == [
        "2 - High",
        "Network",
        "Dana Wright",
        "In Progress",
        "Network",
        "Last 6 hours",
    ]
    assert [step.decision.topic for step in steps] == [
        "severity",
        "team",
        "owner",
        "state",
        "category",
        "other",
    ]
    assert [step.kind for step in steps] == [
        *["decision"] * 3,
        "action",
        "decision",
        "action",
    ]


def test_build_steps_makes_a_tickbox_a_step_not_a_decision():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    checkbox = FieldKind.CHECKBOX
    b.add(
        "field_edited",
        label="Caller identity verified",
        field_kind=checkbox,
        checked=True,
        **page,
    )

    (step,) = _steps(b)

    assert (step.text, step.kind) == ("Tick Caller identity verified", "action")
    assert step.decision.value == "ticked"


ADMIN = "https://admin.example.test"


def test_build_steps_says_a_host_or_channel_page_for_any_run():
    b = RecordingBuilder()
    admin = {
        "tab": 1,
        "system": "Admin console",
        "system_kind": SystemKind.ADMIN,
    }
    b.nav(ADMIN, "/mail/relays/mx-out-02", "mx-out-02 - Admin console", **admin)
    b.nav(ADMIN, "/hosts", "db-01.corp - Admin console", after=8_000, **admin)
    b.nav(
        "https://acme.slack.com",
        "/archives/C1",
        "netops (Channel) - Acme - Slack",
        after=8_000,
        tab=2,
    )

    steps = _steps(b)

    assert [(step.text, step.ticket) for step in steps] == [
        ("Open the relay in Admin console", "mx-out-02"),
        ("Open the host in Admin console", "db-01.corp"),
        ("Open the netops channel in Slack", ""),
    ]


def test_build_steps_keeps_a_changed_choice_with_what_came_first():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.choose("Urgency", "2 - Medium", **page).choose("Urgency", "1 - High", **page)

    (step,) = _steps(b)

    assert step.decision.value == "1 - High"
    assert step.decision.previous == ("2 - Medium",)
    assert step.evidence == (1, 2)


def test_build_steps_decision_records_what_was_looked_at_before():
    steps = _steps_of_sample()
    priority = next(s for s in steps if s.decision and s.decision.field == "Priority")

    assert priority.decision.looked_at == (
        "Open Core network in Grafana",
        "Open Berlin site uplink in Grafana",
    )


def test_build_steps_withholds_sensitive_fields_but_keeps_the_step():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": "https://admin.corp", "path": "/login"}
    b.edit("Username", **page).edit("Password", **page).edit("One-time code", **page)

    steps = _steps(b)

    assert _texts(steps) == [
        "Enter Username",
        "Enter Password (value withheld)",
        "Enter One-time code (value withheld)",
    ]
    assert [step.withheld for step in steps] == [False, True, True]


def test_build_steps_withholds_fields_the_recorder_skipped():
    b = RecordingBuilder()
    b.edit("Badge", tab=1, origin="https://admin.corp", path="/")

    (step,) = _steps(b, skipped_fields=["badge"])

    assert step.text == "Enter Badge (value withheld)"


def test_build_steps_turns_silence_into_an_explicit_wait():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/x"}
    b.click("Save", **page).click("Close", after=600_000, **page)

    steps = _steps(b)

    assert _texts(steps) == [
        "Click Save",
        "Wait: no activity was recorded here (took 10 min in the recording)",
        "Click Close",
    ]
    assert steps[1].kind == "wait"
    assert steps[1].duration_ms == 600_000


@pytest.mark.parametrize(
    ("resolved_before_waiting", "text"),
    [
        (False, "Wait for Network to reply (took 2 h in the recording)"),
        # The save just before the wait assigned no one: no hand-off.
        (True, "Wait: no activity was recorded here (took 2 h in the recording)"),
    ],
)
def test_build_steps_wait_right_after_a_hand_off_names_the_team(
    resolved_before_waiting, text
):
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/incident.do/1"}
    b.choose("Assignment group", "Network", **page)
    b.note("Handed to the network team", **page)
    b.click("Update", **page).submit("Update", after=300, **page)
    if resolved_before_waiting:
        b.choose("State", "Resolved", **page)
        b.click("Update", **page).submit("Update", after=300, **page)
    b.click("Close", after=7_200_000, **page)

    (wait,) = [step for step in _steps(b) if step.kind == "wait"]

    assert wait.text == text


def test_build_steps_wait_text_gives_the_recorded_time_rounded_as_an_example():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/x"}
    # 2 min 32.4 s of silence: the step keeps it, the words round it.
    b.click("Save", **page).click("Close", after=152_400, **page)

    wait = _steps(b)[1]

    assert wait.text == (
        "Wait: no activity was recorded here (took 3 min in the recording)"
    )
    assert format_duration(wait.duration_ms) == "2 min 32 s"


@pytest.mark.parametrize(
    ("ms", "words"),
    [
        (45_000, "45 s"),
        (2_486_000, "41 min"),
        (3_580_000, "1 h"),
        (5_520_000, "1 h 30 min"),
        # A day or more rounds once, to the hour: not first to ten minutes.
        (87_900_000, "1 d"),
        (181_200_000, "2 d 2 h"),
    ],
)
def test_rough_duration_rounds_to_what_an_example_needs(ms, words):
    assert rough_duration(ms) == words


@pytest.mark.parametrize(
    "text",
    [
        "Wait for Network to reply (took 41 min in the recording)",
        # As versions stored before said it.
        "Wait for Network: 41 min 26 s in the recording",
    ],
)
def test_wait_label_leaves_the_time_out(text):
    assert wait_label(text) == "Wait for Network"


def test_build_steps_pause_is_not_a_wait():
    b = RecordingBuilder()
    page = {"tab": 1, "origin": SNOW, "path": "/x"}
    b.click("Save", **page).add("recording_paused").add(
        "recording_resumed", after=900_000
    )
    b.click("Close", **page)

    steps = _steps(b)

    assert _texts(steps) == ["Click Save", "Click Close"]
    assert steps[0].duration_ms == 1_000


def test_build_steps_keeps_notes_verbatim():
    b = RecordingBuilder()
    b.note("Called the site lead; switch power lost.", tab=1)

    (step,) = _steps(b)

    assert step.kind == "note"
    assert step.note == "Called the site lead; switch power lost."


def test_build_steps_search_field_becomes_a_lookup():
    b = RecordingBuilder()
    page = {"tab": 4, "origin": "https://kibana.acme.net", "path": "/app/discover"}
    b.edit("Search", role="searchbox", **page).submit(**page)

    (step,) = _steps(b)

    assert step.text == "Search logs in Kibana"
    assert step.kind == "lookup"
    assert step.evidence == (1, 2)


def test_build_steps_every_event_of_the_sample_is_evidence_or_context():
    recording = rf.network_outage()
    steps = _steps_of_sample()
    evidence = {seq for step in steps for seq in step.evidence}
    contextual = {
        event.seq
        for event in recording.events
        if event.type in ("phase_marked", "tab_opened")
    }

    assert evidence | contextual >= {event.seq for event in recording.events} - {
        event.seq for event in recording.events if event.type == "tab_opened"
    }
    assert len(steps) < len(recording.events) * 0.75


def test_step_dict_round_trip_is_lossless():
    for step in _steps_of_sample():
        assert step_from_dict(step_to_dict(step)) == step


def _steps_of_sample():
    recording = rf.network_outage()
    return assign_phases(
        build_steps(recording.events, skipped_fields=recording.privacy.skipped_fields)
    )


def test_build_steps_names_a_sign_in_page_plainly():
    b = RecordingBuilder()
    b.nav(
        "https://netadmin.corp",
        "/login",
        "Sign in - Network admin",
        tab=1,
        system="Network admin",
        system_kind=SystemKind.ADMIN,
    )

    (step,) = _steps(b)

    assert step.text == "Open the sign-in page of Network admin"


def test_build_steps_drops_the_site_name_that_ends_every_title_of_an_origin():
    wiki = "https://wiki.acme.example"
    b = RecordingBuilder()
    b.nav(wiki, "/a", "Runbooks :: Powered by WikiSoft", tab=1)
    b.nav(wiki, "/b", "VPN gateway :: Powered by WikiSoft", after=5_000, tab=1)
    b.nav("https://other.example", "/", "Status — Other Site", after=5_000, tab=1)

    assert _texts(_steps(b)) == [
        "Open Runbooks in wiki.acme.example",
        "Open VPN gateway in wiki.acme.example",
        "Open Status · Other Site in other.example",
    ]


def test_build_steps_drops_the_repeated_site_name_in_the_real_incident():
    recording = msgspec.json.decode(REAL_INCIDENT.read_bytes(), type=Recording)

    texts = _texts(_steps(_Events(recording.events)))

    assert not [text for text in texts if "Powered by" in text]
    assert any(text.startswith("Open Create Ticket in ") for text in texts)
    assert any(
        text.startswith("Switch to net-1: View Ticket Details") for text in texts
    )
