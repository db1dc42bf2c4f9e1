"""What the report page shows: people's words, every section for any runs."""

from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.reports.trace import Activity, Trace

MINUTE = 60_000


def _run(run_id, title, agent, steps):
    """Return a run of (key, start minute, end minute) steps in ITSM."""
    activities = tuple(
        Activity(
            key, key.upper(), "resolve", start * MINUTE, end * MINUTE, system="ITSM"
        )
        for key, start, end in steps
    )
    return Trace(run_id, agent, activities, title=title)


def _two_runs():
    # r1: a 0-1, b 1-2, c 2-12. r2: a 0-3, b 3-4. a → b twice (1 and 3 min
    # start to start, median 2), b → c once (1 min).
    return [
        _run("4", "Reset VPN", "ana", [("a", 0, 1), ("b", 1, 2), ("c", 2, 12)]),
        _run("5", "Reset VPN again", "ben", [("a", 0, 3), ("b", 3, 4)]),
    ]


def test_report_context_transitions_by_count_then_time():
    context = report_context(build_report(_two_runs()))

    rows = [
        (row["source_label"], row["target_label"], row["count"], row["median_ms"])
        for row in context["transitions"]
    ]
    assert rows == [("A", "B", 2, 2 * MINUTE), ("B", "C", 1, MINUTE)]


def test_report_context_conformance_names_runs_and_steps():
    report = build_report(_two_runs(), approved=["a", "b", "c"])

    rows = report_context(report)["conformance"]

    assert [(row["run_name"], row["missing"]) for row in rows] == [
        ("Reset VPN, by ana", []),
        ("Reset VPN again, by ben", ["C"]),
    ]


def test_report_context_many_runs_add_up_the_step_sections():
    steps = report_context(build_report(_two_runs()))["steps"]

    assert steps["across_runs"] is True
    # r1's c is 10 min, r2's a 3 min; the rest 1 min each.
    longest = [
        (s["label"], s["duration_ms"], s["run_name"]) for s in steps["longest_steps"]
    ]
    assert longest[:2] == [
        ("C", 10 * MINUTE, "Reset VPN, by ana"),
        ("A", 3 * MINUTE, "Reset VPN again, by ben"),
    ]
    # ITSM: 12 min in r1 and 4 min in r2.
    assert ">16 min<" in steps["system_chart"]
