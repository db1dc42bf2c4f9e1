"""What the report page shows: people's words, every section for any runs."""

import re

import pytest
from django.template.loader import render_to_string

from apps.reports import history
from apps.reports.rendering import RANKED_SHOWN, _ranked_handoffs, report_context
from apps.reports.report import build_report
from apps.reports.trace import Activity, Trace
from tests.reports.test_history import _grouped

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
    # ITSM: 12 min in r1 and 4 min in r2, a mean of 8 min per run.
    assert ">8 min<" in steps["system_chart"]
    assert "Mean time per system, per run" in steps["system_chart"]


@pytest.fixture(scope="module")
def export_view():
    """Return the report of the shared ServiceNow export and its page."""
    traces = [history.incident_trace(rows) for rows in _grouped().values()]
    view = report_context(build_report(traces, imported=True), title="History")
    html = render_to_string("reports/_report.html", {"report_view": view})
    return view, html


def _visible(html):
    """Return the words shown before any "Show all" disclosure is opened."""
    html = re.sub(r'<details class="show-all">.*?</details>', " ", html, flags=re.S)
    html = re.sub(r'<p class="muted print-only" hidden>.*?</p>', " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_export_triage_choices_most_made_first_and_capped(export_view):
    view, html = export_view

    choices = view["steps"]["openings"]["suggest_triage"]
    times = [row["times"] for row in choices["all"]]
    assert times == sorted(times, reverse=True)
    assert (choices["rows"][0]["field"], choices["rows"][0]["value"]) == (
        "Priority",
        "3 - Moderate",
    )
    assert len(choices["rows"]) == RANKED_SHOWN < choices["count"] == 58
    assert "<summary>Show all 58 triage choices</summary>" in html
    assert "58 triage choices could be suggested, the most often made first:" in (
        _visible(html)
    )
    # The ninth choice waits behind the disclosure.
    ninth = choices["all"][RANKED_SHOWN]
    assert f"{ninth['field']} {ninth['value']} {ninth['times']}" not in _visible(html)


def test_export_hand_offs_most_waited_for_first(export_view):
    view, html = export_view

    handoffs = view["handoff_list"]
    totals = [row["total_wait_ms"] or 0 for row in handoffs["all"]]
    assert totals == sorted(totals, reverse=True)
    assert (handoffs["rows"][0]["from"], handoffs["rows"][0]["to"]) == (
        "Group 70",
        "Group 25",
    )
    assert len(handoffs["rows"]) == RANKED_SHOWN
    assert f"<summary>Show all {handoffs['count']} hand-offs</summary>" in html
    text = _visible(html)
    assert "Hand-off Times Median hand-off wait Total wait" in text
    assert "Group 70 → Group 25 35 36 h 53 min 106 d 20 h" in text


def test_ranked_hand_offs_break_ties_by_count_then_name():
    rows = [
        {"from": "B", "to": "C", "count": 1, "total_wait_ms": 5},
        {"from": "A", "to": "C", "count": 1, "total_wait_ms": 5},
        {"from": "Z", "to": "C", "count": 3, "total_wait_ms": 5},
        {"from": "Y", "to": "C", "count": 9, "total_wait_ms": None},
        {"from": "X", "to": "C", "count": 1, "total_wait_ms": 7},
    ]

    ranked = [row["from"] for row in _ranked_handoffs(rows)]

    assert ranked == ["X", "Z", "A", "B", "Y"]


def test_export_repeated_advice_is_given_once_over_its_cases(export_view):
    view, html = export_view

    [ping_pong] = [
        g for g in view["finding_groups"] if g["type"] == "handoff_ping_pong"
    ]
    cases = ping_pong["items"]
    assert cases["count"] == 37 and len(cases["rows"]) == RANKED_SHOWN
    assert cases["rows"][:2] == [
        "Assignment group: Group 70 (67 incidents)",
        "Assignment group: Group 20 (26 incidents)",
    ]
    advice = "Write down which team owns this kind of incident and suggest it"
    assert html.count(advice) == 1
    assert "<summary>Show all 37 cases</summary>" in html
    # Every finding is still there, behind the disclosure.
    assert len(view["findings"]) == sum(
        g["items"]["count"] for g in view["finding_groups"]
    )


def test_export_transitions_and_groups_are_capped(export_view):
    view, html = export_view

    assert len(view["transition_list"]["rows"]) == RANKED_SHOWN
    assert view["transition_list"]["all"] == view["transitions"]
    assert f"Show all {len(view['transitions'])} transitions" in html
    groups = view["agent_list"]
    runs = [(-row["runs"], row["agent"]) for row in groups["all"]]
    assert runs == sorted(runs)
    assert groups["rows"][0]["agent"] == "Group 70"
    assert f"<summary>Show all {groups['count']} assignment groups</summary>" in html
    # No script: the page's Content-Security-Policy allows none inline.
    assert "<script" not in html


def test_export_is_worded_for_incidents(export_view):
    view, html = export_view

    text = _visible(html)
    assert "Incident history report" in text
    assert "Workflow intelligence report" not in text
    assert "How the path varies between assignment groups" in text
    assert "Final assignment group Incidents Mean distance" in text
    assert "Agent variance" not in text and "Agent" not in text.split("Findings")[0]
    # Time over 650 incidents is a mean per incident, not a sum of them.
    assert "Mean time per state, per incident" in html
    assert "times are totals" not in text
    assert "the time per state is a mean per incident" in text
    assert "run(s)" not in text
    assert "The incidents follow 36 different paths" in text
    # An ITSM log has no Log phase, no lookups and no page openings.
    assert "Log 0 s" not in text and "Log: 0 s" not in html
    assert "Lookups in the Investigate phase" not in text
    assert "short-cut" not in text and "single click" not in text
    assert "Longest states" in text and "Longest steps" not in text
    assert "Longest waits in one state" in text and "Idle waits" not in text
    assert "Each change of an incident's state" in text
    assert "(ITSM)" not in text
    # Closed is where an incident's time ends: no time is spent in it.
    state_chart = view["steps"]["state_chart"]
    assert ">Resolved<" in state_chart and ">Closed<" not in state_chart
    assert "on average 24% of the states away" in text
    assert "Incidents went back to 2 states after they had moved past them" in text
    assert "steps are done again" not in text
    assert "check new incidents against it" in text


def test_export_paths_are_state_visits(export_view):
    view, html = export_view

    # Consecutive updates in one state are one visit; choices are no steps.
    pairs = {(row["source_label"], row["target_label"]) for row in view["transitions"]}
    assert ("Resolved", "Closed") in pairs
    assert not [pair for pair in pairs if pair[0] == pair[1]]
    assert not [pair for pair in pairs if ":" in pair[0] + pair[1]]
    assert view["variant_rows"][0]["labels"] == ["New", "Resolved", "Closed"]


def test_export_listed_states_link_to_their_incidents(export_view):
    _view, html = export_view

    steps = html.split("Longest states")[1].split("Documentation gaps")[0]
    assert '<a href="/incidents/INC0000343/">INC0000343, by Group 31</a>' in steps
    assert '<a href="/incidents/INC0000307/">INC0000307, by Group 66</a>' in steps


def test_export_names_incidents_without_a_group_and_says_what_the_chart_shows(
    export_view,
):
    view, html = export_view

    names = [row["name"] for row in view["agent_list"]["all"]]
    assert "Unknown group" in names and "unknown" not in names
    assert ">unknown<" not in html
    assert "each line runs from the group&#x27;s fastest resolved incident" in html
