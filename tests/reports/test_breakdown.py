import pytest

from apps.reports import breakdown, history
from apps.reports.breakdown import figures, percentile, priority_key, split
from tests.reports.test_history import _grouped

HOUR = 3_600_000


def _incident(priority="3 - Moderate", group="Group 1", category="Network", **kw):
    return {
        "priority": priority,
        "assignment_group": group,
        "category": category,
        "made_sla": kw.get("made_sla", True),
        "resolution_ms": kw.get("resolution_ms", HOUR),
    }


def test_percentile_is_the_nearest_measured_rank():
    values = [10 * n for n in range(1, 11)]

    assert percentile(values, 0.9) == 90
    assert percentile(values, 0.5) == 50
    assert percentile([7], 0.9) == 7
    # Nine values: 0.9 * 9 = 8.1, so the 9th, the largest.
    assert percentile(list(range(1, 10)), 0.9) == 9
    assert percentile([], 0.9) is None
    assert percentile([3, 1, 2], 0.0) == 1


def test_figures_of_no_incidents_are_empty_not_zero():
    assert figures([]) == {
        "incidents": 0,
        "judged": 0,
        "made_sla": 0,
        "missed_sla": 0,
        "missed_share": None,
        "resolved": 0,
        "median_resolution_ms": None,
        "p90_resolution_ms": None,
        "mean_resolution_ms": None,
    }


def test_figures_leave_unresolved_out_of_resolution_and_unjudged_out_of_sla():
    incidents = [
        _incident(made_sla=False, resolution_ms=2 * HOUR),
        _incident(made_sla=True, resolution_ms=4 * HOUR),
        _incident(made_sla=None, resolution_ms=30 * HOUR),
        _incident(made_sla=False, resolution_ms=None),
    ]

    result = figures(incidents)

    assert result["incidents"] == 4
    # The SLA is judged over the three that say; the share is of those.
    assert (result["judged"], result["made_sla"], result["missed_sla"]) == (3, 1, 2)
    assert result["missed_share"] == pytest.approx(2 / 3)
    # Resolution over the three resolved: 2 h, 4 h, 30 h.
    assert result["resolved"] == 3
    assert result["median_resolution_ms"] == 4 * HOUR
    assert result["p90_resolution_ms"] == 30 * HOUR
    assert result["mean_resolution_ms"] == 12 * HOUR


def test_figures_without_any_sla_judged_have_no_share():
    result = figures([_incident(made_sla=None), _incident(made_sla=None)])

    assert (result["judged"], result["missed_sla"]) == (0, 0)
    assert result["missed_share"] is None


def test_figures_of_only_open_incidents_have_no_resolution_time():
    result = figures([_incident(resolution_ms=None)])

    assert result["resolved"] == 0
    assert result["median_resolution_ms"] is None
    assert result["p90_resolution_ms"] is None


def test_priorities_come_in_priority_order_not_by_count_or_name():
    values = ["4 - Low", "", "Urgent", "1 - Critical", "10 - Later", "2 - High"]

    assert sorted(values, key=priority_key) == [
        "1 - Critical",
        "2 - High",
        "4 - Low",
        "10 - Later",
        "Urgent",
        "",
    ]


def test_split_by_priority_orders_by_priority_and_counts_each():
    incidents = [
        _incident("3 - Moderate"),
        _incident("3 - Moderate"),
        _incident("1 - Critical", made_sla=False, resolution_ms=9 * HOUR),
        _incident("", made_sla=None, resolution_ms=None),
    ]

    rows = split(incidents, "priority")

    assert [(r["value"], r["incidents"]) for r in rows] == [
        ("1 - Critical", 1),
        ("3 - Moderate", 2),
        ("", 1),
    ]
    critical = rows[0]
    assert (critical["missed_sla"], critical["missed_share"]) == (1, 1.0)
    assert critical["median_resolution_ms"] == 9 * HOUR
    # The row without a priority says nothing of SLA or resolution.
    assert rows[2]["missed_share"] is None
    assert rows[2]["median_resolution_ms"] is None


def test_split_by_group_orders_by_count_then_name_and_no_group_last():
    incidents = [
        _incident(group="Group B"),
        _incident(group=""),
        _incident(group=""),
        _incident(group=""),
        _incident(group="Group A"),
        _incident(group="Group C"),
        _incident(group="Group C"),
    ]

    rows = split(incidents, "assignment_group")

    # Group A and Group B tie on one incident each: by name.
    assert [(r["value"], r["incidents"]) for r in rows] == [
        ("Group C", 2),
        ("Group A", 1),
        ("Group B", 1),
        ("", 3),
    ]


def test_split_is_the_same_whatever_order_the_incidents_come_in():
    incidents = [
        _incident(group=f"Group {n % 4}", resolution_ms=n * HOUR, made_sla=n % 3 > 0)
        for n in range(1, 40)
    ]

    forward = breakdown.breakdown(incidents)
    backward = breakdown.breakdown(list(reversed(incidents)))

    assert forward == backward


def test_a_group_missing_more_often_than_the_history_is_flagged():
    missing = [_incident(group="Night", made_sla=False) for _ in range(5)]
    making = [_incident(group="Day", made_sla=n == 0) for n in range(6)]
    few = [_incident(group="Weekend", made_sla=False) for _ in range(4)]

    result = breakdown.breakdown(missing + making + few)
    rows = {r["value"]: r for r in result["assignment_group"]}

    # Night misses 5, Day 5 of 6, Weekend 4: 14 of the 15.
    assert result["overall"]["missed_sla"] == 14
    assert rows["Night"]["flagged"] is True
    # Day misses 5 of 6, under the history's 14 of 15.
    assert rows["Day"]["flagged"] is False
    # Weekend misses all, but over fewer than five incidents.
    assert rows["Weekend"]["flagged"] is False


def test_breakdown_of_no_incidents_has_empty_splits():
    result = breakdown.breakdown([])

    assert result["overall"]["incidents"] == 0
    assert result["priority"] == []
    assert result["assignment_group"] == []
    assert result["category"] == []


def test_breakdown_of_the_sample_shows_critical_and_high_missing_their_sla():
    incidents = []
    for updates in _grouped().values():
        measures = history.incident_measures(updates)
        incidents.append(
            {
                "priority": updates[-1].priority,
                "assignment_group": updates[-1].assignment_group,
                "category": updates[-1].fields["category"],
                "made_sla": measures["made_sla"],
                "resolution_ms": measures["resolution_ms"],
            }
        )

    rows = breakdown.breakdown(incidents)["priority"]

    assert [(r["value"], r["incidents"], r["missed_sla"]) for r in rows] == [
        ("1 - Critical", 12, 11),
        ("2 - High", 27, 27),
        ("3 - Moderate", 546, 175),
        ("4 - Low", 65, 36),
    ]
    assert [r["flagged"] for r in rows] == [True, True, False, True]
