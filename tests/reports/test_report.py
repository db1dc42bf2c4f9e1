import random

import orjson
from hypothesis import given
from hypothesis import strategies as st

from apps.reports import texts
from apps.reports.aggregate import edit_distance
from apps.reports.report import build_report, state_path
from apps.reports.trace import Activity, Decision, Trace
from tests.reports.traces import (
    KEYED,
    MAIN,
    MINUTE,
    REDOES_PRIORITY,
    SKIPS_PRIORITY,
    SWAPS,
    keyed,
    moving_trace,
    paced_trace,
    recorded_handoff,
    twelve_traces,
)


def _edges(report, time="median_gap_ms"):
    plain = {value: key for key, value in KEYED.items()}
    return {
        (
            plain.get(edge["source"], edge["source"]),
            plain.get(edge["target"], edge["target"]),
        ): (
            edge["count"],
            edge[time],
        )
        for edge in report.process_map["edges"]
    }


def test_report_twelve_runs_aggregate_map_matches_hand_count():
    report = build_report(twelve_traces())

    # Gaps per run (minutes): ana 1 1 2 2, ben 2 3 3 4, cho 4 5 5 6; every
    # edge of a run waits that run's gap.
    assert _edges(report) == {
        # all but c1, c2: 1 1 2 2 2 3 3 4 5 6 -> (2 + 3) / 2
        ("open", "priority"): (10, 2.5 * MINUTE),
        # c1, c2: 4 5
        ("open", "group"): (2, 4.5 * MINUTE),
        # the 8 main runs and c4: 1 1 2 2 2 3 3 5 6 -> 2
        ("priority", "group"): (9, 2 * MINUTE),
        # main, c1, c2, c4: 1 1 2 2 2 3 3 4 5 5 6 -> 3
        ("group", "lookup"): (11, 3 * MINUTE),
        # main and c1, c2: 1 1 2 2 2 3 3 4 5 5 -> 2.5
        ("lookup", "restart"): (10, 2.5 * MINUTE),
        ("priority", "lookup"): (1, 4 * MINUTE),
        ("lookup", "group"): (1, 4 * MINUTE),
        ("group", "restart"): (1, 4 * MINUTE),
        ("lookup", "priority"): (1, 6 * MINUTE),
        ("priority", "restart"): (1, 6 * MINUTE),
        # all twelve: 1 1 2 2 2 3 3 4 4 5 5 6 -> 3
        ("restart", "close"): (12, 3 * MINUTE),
    }
    counts = {node["key"]: node["count"] for node in report.process_map["nodes"]}
    assert counts == {
        "close": 12,
        "group=Network": 12,
        "lookup": 12,
        "open": 12,
        "priority=2 - High": 11,
        "restart": 12,
    }
    assert report.process_map["starts"] == {"open": 12}
    assert report.process_map["ends"] == {"close": 12}


def test_report_twelve_runs_variants_ranked_by_count_then_path():
    report = build_report(twelve_traces())

    # The two single runs tie; "group" sorts before "lookup" at the third step.
    assert [(row["keys"], row["count"]) for row in report.variants] == [
        (keyed(MAIN), 8),
        (keyed(SKIPS_PRIORITY), 2),
        (keyed(REDOES_PRIORITY), 1),
        (keyed(SWAPS), 1),
    ]
    assert report.variants[1]["runs"] == ["c1", "c2"]


def test_report_twelve_runs_distance_per_agent():
    report = build_report(twelve_traces())

    distance = {row["run_id"]: row["distance"] for row in report.distances}
    # Skipping priority: one deletion in six steps. Swapping two steps: two
    # substitutions in six. Redoing priority: one insertion, seven steps long.
    assert distance["c1"] == 1 / 6
    assert distance["b4"] == 2 / 6
    assert distance["c4"] == 1 / 7
    agents = {row["agent"]: row for row in report.agents}
    assert agents["ana"]["mean_distance"] == 0
    assert agents["ben"]["mean_distance"] == round((2 / 6) / 4, 4)
    assert agents["cho"]["mean_distance"] == round((1 / 6 + 1 / 6 + 1 / 7) / 4, 4)
    assert agents["cho"]["max_distance"] == 1 / 6


def test_report_twelve_runs_phase_spread_per_agent():
    report = build_report(twelve_traces())
    spread = {row["agent"]: row["spread"] for row in report.agents}

    # A main run with gap g: each step owns 1 + g minutes; no state is set to
    # Resolved, so resolution runs to the start of close, 5 (1 + g); triage
    # is priority and group, 2 (1 + g).
    # ana, g = 1 1 2 2: resolution 10 10 15 15, triage 4 4 6 6.
    assert spread["ana"]["resolution"] == {
        "min": 10 * MINUTE,
        "median": 12.5 * MINUTE,
        "max": 15 * MINUTE,
    }
    assert spread["ana"]["triage"] == {
        "min": 4 * MINUTE,
        "median": 5 * MINUTE,
        "max": 6 * MINUTE,
    }
    # cho: skips priority with g = 4 and 5 (4 (1 + g) = 20, 24; triage 5,
    # 6), main with g = 5 (30; triage 12), redoes priority with g = 6
    # (6 (1 + g) = 42; triage three steps, 21).
    assert spread["cho"]["resolution"] == {
        "min": 20 * MINUTE,
        "median": 27 * MINUTE,
        "max": 42 * MINUTE,
    }
    assert spread["cho"]["triage"] == {
        "min": 5 * MINUTE,
        "median": 9 * MINUTE,
        "max": 21 * MINUTE,
    }
    # ben: the gap after restart is still resolution; close is the
    # one-minute close step alone.
    assert spread["ben"]["close"] == {
        "min": 1 * MINUTE,
        "median": 1 * MINUTE,
        "max": 1 * MINUTE,
    }


def test_report_twelve_runs_every_split_sums_to_resolution():
    report = build_report(twelve_traces())

    for run in report.runs:
        timing = run["timing"]
        assert sum(timing["split"].values()) == timing["resolution_ms"]


def test_report_findings_name_rework_and_missing_documentation():
    report = build_report(twelve_traces())

    by_type = {}
    for finding in report.findings:
        by_type.setdefault(finding["type"], []).append(finding)
    [rework] = by_type["rework"]
    assert (rework["steps"], rework["runs"]) == (["priority=2 - High"], ["c4"])
    [undocumented] = by_type["missing_documentation"]
    assert undocumented["steps"] == ["priority=2 - High"]
    # Every run but c1 and c2 sets the priority without a rule.
    assert undocumented["params"]["runs"] == 10
    # Mean distance (1/6 + 1/6 + 1/7 + 2/6) / 12 = 0.067 is below the 0.2 bar.
    assert "variance" not in by_type


def test_report_health_score_follows_stated_formula():
    report = build_report(twelve_traces())
    parts = report.health["parts"]

    mean_distance = (1 / 6 + 1 / 6 + 1 / 7 + 2 / 6) / 12
    assert parts["consistency"]["value"] == round(1 - mean_distance, 4)
    # No handoffs: full marks. One run of twelve redoes a step.
    assert parts["handoffs"]["value"] == 1
    assert parts["rework"]["value"] == round(11 / 12, 4)
    # 23 decisions: priority in 10 runs plus c4's second (11, none with a
    # rule) and group in all 12 (with a rule).
    assert parts["documentation"]["value"] == round(1 - 11 / 23, 4)
    expected = sum(p["value"] * p["weight"] for p in parts.values())
    assert abs(report.health["score"] - expected) <= 0.51


def test_report_handoff_ping_pong_and_waits_over_runs():
    report = build_report([moving_trace("p1", ["A", "B", "A"], 2)])

    assert [(h["from"], h["to"], h["count"]) for h in report.handoffs] == [
        ("A", "B", 1),
        ("B", "A", 1),
    ]
    assert report.handoffs[0]["median_wait_ms"] == 2 * MINUTE
    assert [f["type"] for f in report.findings if f["type"] == "handoff_ping_pong"]


def test_report_json_is_the_same_whatever_the_input_order():
    traces = twelve_traces()
    shuffled = traces[:]
    random.Random(7).shuffle(shuffled)

    first = build_report(traces).to_json()
    second = build_report(shuffled).to_json()

    assert first == second
    assert orjson.loads(first)["version"] == 17


def test_report_rejects_two_traces_with_one_run_id():
    import pytest

    trace = paced_trace("same", "ana", MAIN, 1)
    with pytest.raises(ValueError, match="'same'"):
        build_report([trace, trace])


def _levenshtein(left, right):
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        current = [i]
        for j, b in enumerate(right, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            )
        previous = current
    return previous[-1]


@given(
    st.lists(st.integers(0, 4), max_size=90), st.lists(st.integers(0, 4), max_size=90)
)
def test_edit_distance_matches_dynamic_programming(left, right):
    assert edit_distance(left, right) == _levenshtein(left, right)


def test_report_bottleneck_needs_a_large_share_in_enough_runs():
    report = build_report(twelve_traces())

    # Median resolution (16 + 17) / 2 = 16.5 min; 20 % of it is 3.3 min. Each
    # step takes 1 min; the gaps of 4 min or more happen in at most 2 of the
    # 12 runs, under the quarter needed; restart -> close leads to closing.
    assert [f for f in report.findings if f["type"] == "bottleneck"] == []


def test_report_bottleneck_names_the_slow_step():
    traces = [_slow_lookup(f"r{i}", 30) for i in range(4)]

    report = build_report(traces)

    # No gaps; every step takes 1 min but the 30-min lookup: resolution is
    # 1 + 1 + 1 + 30 + 1 = 34 min, and 30 min is past 20 % of it (6.8 min).
    [finding] = [f for f in report.findings if f["type"] == "bottleneck"]
    assert finding["steps"] == ["lookup"]
    assert finding["params"] == {
        "median_ms": 30 * MINUTE,
        "runs": 4,
        "of": 4,
        "resolution_ms": 34 * MINUTE,
    }


def _slow_lookup(run_id, minutes):
    from dataclasses import replace

    trace = paced_trace(run_id, "ana", MAIN, 0)
    shifted, offset = [], 0
    for activity in trace.activities:
        extra = (minutes - 1) * MINUTE if activity.key == "lookup" else 0
        shifted.append(
            replace(
                activity,
                start_ms=activity.start_ms + offset,
                end_ms=activity.end_ms + offset + extra,
            )
        )
        offset += extra
    return replace(trace, activities=tuple(shifted))


def test_report_second_group_choice_is_a_handoff_not_rework():
    report = build_report([moving_trace("p1", ["A", "B", "A"], 2)])

    assert report.runs[0]["rework"] == []
    assert len(report.runs[0]["handoffs"]) == 2


def _triage(field, value):
    return Decision(field, value, topic="severity")


def test_report_missing_documentation_is_one_finding_listing_steps():
    activities = (
        Activity("a", "A", "triage", 0, 1, kind="decision", decision=_triage("F", "x")),
        Activity("b", "B", "triage", 1, 2, kind="decision", decision=_triage("G", "y")),
        Activity("n", "N", "resolve", 2, 3, kind="note"),
    )

    report = build_report([Trace("r1", "ana", activities)])

    [finding] = [f for f in report.findings if f["type"] == "missing_documentation"]
    assert finding["steps"] == ["a=x", "b=y", "n"]
    assert finding["params"] == {
        "decisions": ["a=x", "b=y"],
        "notes": ["n"],
        "labels": {"a=x": "A", "b=y": "B", "n": "N"},
        "runs": 1,
    }
    text = texts.finding_summary(finding, {})
    assert text == (
        "In 1 run, choices without a recorded rule: A, B; "
        "steps known only from a note the agent wrote: N."
    )


def test_report_bottleneck_of_one_run_is_not_called_typical():
    report = build_report([_slow_lookup("r1", 30)])

    [finding] = [f for f in report.findings if f["type"] == "bottleneck"]
    text = texts.finding_summary(finding, {"lookup": "Lookup"})
    assert text == "Lookup took 30 min of a resolution time of 34 min."


def test_report_names_a_handoff_wait_as_such_not_as_an_idle_wait():
    report = build_report([recorded_handoff()])

    bottlenecks = [f for f in report.findings if f["type"] == "bottleneck"]
    # The 41-minute wait step (2,460 s) falls inside the hand-off's wait: it
    # is the hand-off's bottleneck, and no bottleneck of the wait step.
    assert [(f["steps"], f["params"]) for f in bottlenecks] == [
        (
            ["itsm:set:assignment-group=Identity"],
            {
                "median_ms": 2_460_000,
                "runs": 1,
                "of": 1,
                "handoff": True,
                "resolution_ms": 2_630_000,
            },
        )
    ]
    assert texts.finding_summary(bottlenecks[0], {}) == (
        "The hand-off wait after itsm:set:assignment-group=Identity was 41 min, "
        "of a resolution time of 43 min 50 s."
    )
    # Flow counts idle waits only; the hand-off's wait is not one.
    assert report.health["parts"]["flow"]["value"] == 1


def test_state_path_makes_one_visit_of_updates_in_one_state():
    def state(label, start, end):
        return Activity(f"state:{label}", label, "investigate", start, end)

    choice = Activity(
        "decision:priority",
        "Priority: 2 - High",
        "triage",
        5,
        5,
        kind="decision",
        decision=Decision("Priority", "2 - High", "severity"),
    )
    steps = [state("New", 0, 5), choice, state("New", 5, 9), state("Active", 9, 20)]

    path = state_path(steps)

    assert [(a.label, a.start_ms, a.end_ms) for a in path] == [
        ("New", 0, 9),
        ("Active", 9, 20),
    ]
