"""Each step of the report is named truly for every run it stands for."""

from dataclasses import replace

from apps.reports.report import build_report
from apps.reports.trace import (
    Activity,
    Decision,
    Trace,
    shared_label,
    with_distinct_keys,
)

MINUTE = 60_000
SECOND = 1_000


def _itsm(key, label, start, end, **values):
    return Activity(
        key, label, "resolve", start, end, system="ITSM", system_kind="itsm", **values
    )


def _state(value, start):
    decision = Decision("State", value, topic="state")
    return _itsm(
        "itsm:set:state",
        f"Set State to {value}",
        start,
        start + SECOND,
        kind="decision",
        decision=decision,
    )


def _wait(label, start, minutes, seconds):
    end = start + minutes * MINUTE + seconds * SECOND
    return _itsm("itsm:wait:idle", label, start, end, kind="wait")


def _nodes(report):
    return {
        node["key"]: (node["label"], node["count"])
        for node in report.process_map["nodes"]
    }


def test_report_choices_of_one_field_are_steps_of_their_own():
    resolved, closed = _state("Resolved", 0), _state("Closed", 5 * SECOND)

    report = build_report([Trace("r1", "ana", (resolved, closed))])

    assert _nodes(report) == {
        "itsm:set:state=Closed": ("Set State to Closed", 1),
        "itsm:set:state=Resolved": ("Set State to Resolved", 1),
    }
    [edge] = report.process_map["edges"]
    assert (edge["source"], edge["target"], edge["count"]) == (
        "itsm:set:state=Resolved",
        "itsm:set:state=Closed",
        1,
    )


def test_report_waits_of_different_lengths_read_neutrally():
    # The first run waits 41 min 26 s, the second 28 min 14 s, under one key.
    first = _wait("Wait 41 min 26 s (no activity was recorded)", 0, 41, 26)
    second = _wait("Wait 28 min 14 s (no activity was recorded)", 0, 28, 14)

    report = build_report([Trace("r1", "ana", (first,)), Trace("r2", "ben", (second,))])

    assert _nodes(report) == {"itsm:wait:idle": ("Wait in ITSM", 2)}
    # Each run keeps its own duration: 2,486 s and 1,694 s.
    durations = [run["steps"][0]["duration_ms"] for run in report.runs]
    assert durations == [2_486_000, 1_694_000]


def test_report_notes_with_different_texts_read_as_a_note():
    first = _itsm("itsm:note:note", "Note: gateway restarted", 0, 1, kind="note")
    second = _itsm("itsm:note:note", "Note: caller confirmed", 2, 3, kind="note")

    report = build_report([Trace("r1", "ana", (first, second))])

    assert _nodes(report) == {"itsm:note:note": ("Note in ITSM", 2)}


def test_report_imported_path_names_each_team_it_went_through():
    # As the incident-history import builds INC0048003: one key for every
    # assignment group choice, the value only in the label.
    def group(value, start):
        return _itsm(
            "decision:assignment_group",
            f"Assignment group: {value}",
            start,
            start,
            kind="decision",
            decision=Decision("Assignment group", value, topic="team"),
        )

    teams = ("Service Desk", "Network", "Identity and Access")
    trace = Trace(
        "INC0048003",
        "",
        tuple(group(team, index * MINUTE) for index, team in enumerate(teams)),
    )

    report = build_report([trace])

    [variant] = report.variants
    labels = [report.labels[key] for key in variant["keys"]]
    assert labels == [
        "Assignment group: Service Desk",
        "Assignment group: Network",
        "Assignment group: Identity and Access",
    ]


def test_shared_label_lists_differing_labels_of_other_steps():
    labels = ["Open vpn-gw-01", "Open vpn-gw-02", "Open vpn-gw-01"]

    assert shared_label("action", labels) == "Open vpn-gw-01 / Open vpn-gw-02"
    assert shared_label("action", ["A", "B", "C", "D", "E"]) == "A / B / C (+2 more)"


def test_shared_label_names_each_run_s_ticket_the_ticket():
    labels = ["Save INC0048213 (Update)", "Save INC0049377 (Update)"]

    assert shared_label("action", labels) == "Save the ticket (Update)"


def test_report_transition_times_run_from_start_to_start():
    # a lasts 2 min from minute 0; b starts at minute 5: 5 min start to
    # start, 3 min of gap no step accounts for. In the second run b starts
    # at minute 3: 3 min and 1 min. Medians of two: 4 min and 2 min.
    def run(run_id, b_start):
        a = _itsm("a", "A", 0, 2 * MINUTE)
        b = _itsm("b", "B", b_start * MINUTE, (b_start + 1) * MINUTE)
        return Trace(run_id, "ana", (a, b))

    report = build_report([run("r1", 5), run("r2", 3)])

    [edge] = report.process_map["edges"]
    assert (edge["count"], edge["median_ms"], edge["median_gap_ms"]) == (
        2,
        4 * MINUTE,
        2 * MINUTE,
    )


def test_with_distinct_keys_keeps_every_other_field():
    decision = Decision("State", "Closed", topic="state", rule="after: Grafana")
    activity = Activity(
        "itsm:set:state",
        "Set State to Closed",
        "close",
        1,
        2,
        system="ITSM",
        system_kind="itsm",
        kind="decision",
        decision=decision,
        evidence=(7, 8),
    )

    [keyed] = with_distinct_keys(Trace("r1", "ana", (activity,))).activities

    assert keyed == replace(activity, key="itsm:set:state=Closed")
