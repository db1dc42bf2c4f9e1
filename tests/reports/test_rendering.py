"""What the report page shows: people's words, every section for any runs."""

import re
import statistics
from collections import defaultdict

import pytest
from django.template.loader import render_to_string
from django.utils.html import escape

from apps.reports import history, texts
from apps.reports.duration import format_duration, whole_seconds
from apps.reports.rendering import RANKED_SHOWN, _ranked_handoffs, report_context
from apps.reports.report import build_report
from apps.reports.trace import Activity, Trace
from tests.reports.test_history import _direct, _grouped

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


def test_whole_seconds_add_up_to_the_total_and_subtotals_shown():
    parts = [10_500, 10_500, 10_500]

    shown = whole_seconds(parts)

    # Rounded alone, each reads 10 s: 30 s in all, against 31.5 s shown as 32 s.
    assert [format_duration(ms) for ms in parts] == ["10 s", "10 s", "10 s"]
    assert shown == [10_000, 11_000, 11_000]
    assert format_duration(sum(shown)) == format_duration(sum(parts)) == "32 s"
    assert format_duration(sum(shown[:2])) == format_duration(sum(parts[:2]))


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
    assert "Group 70 → Group 25 35 1 d 13 h 106 d 21 h" in text


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


def _direct_bounces():
    """Return {pair: (incidents, times)} and the never-bounced resolutions.

    Straight from the CSV: an incident bounces when a move takes it back to
    a group that held it before; the pair is the two groups of that move.
    """
    pairs, rest = defaultdict(lambda: [0, 0]), []
    for resolution, moves, _sla in _direct().values():
        held, bounced = [moves[0][0]] if moves else [], defaultdict(int)
        for source, target, _wait in moves:
            if target in held:
                bounced[tuple(sorted((source, target)))] += 1
            held.append(target)
        for pair, times in bounced.items():
            pairs[pair][0] += 1
            pairs[pair][1] += times
        if not bounced:
            rest.append(resolution)
    return {pair: tuple(figures) for pair, figures in pairs.items()}, rest


def test_export_ping_pong_names_the_groups_and_their_resolution(export_view):
    view, html = export_view
    pairs, rest = _direct_bounces()

    found = [f for f in view["findings"] if f["type"] == "handoff_ping_pong"]
    assert {
        tuple(f["params"]["groups"]): (f["params"]["runs"], f["params"]["times"])
        for f in found
    } == pairs
    assert {f["params"]["rest_runs"] for f in found} == {len(rest)} == {571}
    assert format_duration(statistics.median(rest)) == "1 d 22 h"
    [ping_pong] = [
        g for g in view["finding_groups"] if g["type"] == "handoff_ping_pong"
    ]
    assert ping_pong["summary"] == (
        "Incidents went back and forth between 61 pairs of assignment groups: "
        "handed from one to the other and later back again. The 571 resolved "
        "incidents never sent back to an earlier group took a median of "
        "1 d 22 h to resolve. The pairs with the most incidents first:"
    )
    cases = ping_pong["items"]
    assert cases["count"] == 61 and len(cases["rows"]) == RANKED_SHOWN
    assert cases["rows"][:2] == [
        "Group 54 and Group 70: 11 incidents, sent back 14 times, a median of "
        "6 d 19 h to resolve",
        "Group 20 and Group 70: 8 incidents, sent back 12 times, a median of "
        "18 d 15 h to resolve",
    ]
    text = _visible(html)
    assert "ownership went back" not in text and "team or owner" not in text
    # "runs from" is a line's or a stay's; no run, step or recording is named.
    assert not re.search(r"\b(runs?|steps?|recordings?)\b(?! from)", text)
    advice = "Agree which of these groups owns this kind of incident and suggest"
    assert html.count(advice) == 1
    assert "<summary>Show all 61 cases</summary>" in html
    # Every finding is still there, behind the disclosure.
    assert len(view["findings"]) == sum(
        g["items"]["count"] for g in view["finding_groups"]
    )


def test_ping_pong_of_one_pair_says_it_in_one_sentence():
    finding = {
        "type": "handoff_ping_pong",
        "steps": [],
        "params": {
            "groups": ["Desk", "Network"],
            "runs": 1,
            "times": 1,
            "median_resolution_ms": 3 * 3_600_000,
            "rest_runs": 4,
            "rest_median_resolution_ms": 3_600_000,
        },
    }
    open_only = {
        **finding,
        "params": {**finding["params"], "median_resolution_ms": None},
    }

    assert texts.finding_summary(finding, {}, imported=True) == (
        "1 incident went back and forth between Desk and Network (sent back "
        "once); they took a median of 3 h to resolve, against 1 h for the 4 "
        "resolved incidents never sent back to an earlier group."
    )
    assert texts.finding_summary(open_only, {}, imported=True) == (
        "1 incident went back and forth between Desk and Network (sent back "
        "once); none of them is resolved yet."
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
    # Time over 650 incidents is a median per state, not a sum of them.
    assert "Median time per state" in html
    assert "times are totals" not in text
    assert (
        "the time per state is over the incidents that passed through each state"
    ) in text
    assert "run(s)" not in text
    assert "The incidents follow 36 different paths" in text
    # An ITSM log has no Log phase, no lookups and no page openings.
    assert "Log 0 s" not in text and "Log: 0 s" not in html
    assert "Lookups in the Investigate phase" not in text
    assert "short-cut" not in text and "single click" not in text
    # One list of an incident's longest stays, no second list of its waits.
    assert "Longest stays in one state" in text and "Longest steps" not in text
    assert "Longest waits" not in text and "Idle waits" not in text
    assert "Each change of an incident's state" in text
    assert "(ITSM)" not in text
    # An imported history records no rule: the gaps section has nothing to say.
    assert (
        "Documentation gaps" not in text
        and "records no rule behind any choice, so its" not in text
    )
    assert "on average 24% of the states away" in text
    assert "Incidents went back to 2 states after they had moved past them" in text
    assert "steps are done again" not in text
    assert "check new incidents against it" in text


def test_export_time_per_state_ends_at_resolution_medians_first(export_view):
    view, html = export_view

    states = view["steps"]["states"]
    rows = [(r["state"], r["incidents"], r["median_ms"]) for r in states["rows"]]
    medians = [median for _state, _n, median in rows]
    assert medians == sorted(medians, reverse=True)
    # The wait for the close after resolution leads no more: Resolved counts
    # only the stays of incidents reopened after it, and Closed none.
    assert [state for state, _n, _m in rows][:2] == [
        "Awaiting User Info",
        "Awaiting Problem",
    ]
    assert "Closed" not in {state for state, _n, _m in rows}
    waiting = [
        history.incident_measures(updates)["time_in_state"].get("Awaiting User Info")
        for updates in _grouped().values()
    ]
    waiting = [ms for ms in waiting if ms]
    assert rows[0] == ("Awaiting User Info", len(waiting), statistics.median(waiting))
    text = _visible(html)
    assert "Awaiting User Info 212 5 d 8 h 15 d 23 h" in text
    assert (
        "After resolution, until closed: a median of 5 d 1 h (mean 7 d 3 h) over "
        "the 650 resolved incidents. This wait for the close is not resolution "
        "time and is not counted above."
    ) in text
    assert (
        ">Awaiting User Info<" in states["chart"] and ">Closed<" not in states["chart"]
    )


def test_export_draws_the_state_map(export_view):
    view, html = export_view

    assert view["state_map"] is True
    source = html.split('<pre class="mermaid process-map" data-mermaid>')[1]
    assert source.split("</pre>")[0] == escape(view["report"].mermaid)
    assert "n6 --&gt;|&quot;649× · 5 d 1 h&quot;| n4" in source
    assert "Mermaid source of the map" not in html


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

    steps = html.split("Longest stays in one state")[1].split("AI and automation")[0]
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


def test_resolution_time_per_agent_names_its_span():
    view = report_context(build_report(_two_runs()))
    html = render_to_string("reports/_report.html", {"report_view": view})

    span = "Resolution time (logged to resolved) per agent"
    assert f"<title>{span}</title>" in view["spread_chart"]
    assert view["spread_caption"].startswith(f"{span}: each line runs from")
    assert f"{span}: each line runs from" in html
    assert "Resolution time (logged to resolved): min / median / max" in html
    assert "Resolution (min / median / max)" not in html


def test_export_resolution_time_per_group_names_its_span(export_view):
    view, html = export_view

    span = "Resolution time (opened to resolved) per final assignment group"
    assert f"<title>{span}</title>" in view["spread_chart"]
    assert f"{span}: each line runs from" in html
    assert "Resolution time (opened to resolved): min / median / max" in html
    assert "logged to resolved" not in html
