"""What the report says: each figure named for what it is over, in one word."""

import csv
import re
from dataclasses import replace
from xml.etree import ElementTree

from django.template.loader import render_to_string

from apps.reports import history, texts
from apps.reports.mermaid import process_map_mermaid
from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.reports.trace import Activity, Decision, Trace
from apps.workflows.sop import PHASE_TITLES
from tests.reports.traces import (
    MAIN,
    moving_trace,
    paced_trace,
    recorded_handoff,
    seconds_step,
)

MINUTE = 60_000


def _text(report, title="T"):
    html = render_to_string(
        "reports/_report.html", {"report_view": report_context(report, title=title)}
    )
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" :", ":")


def _steps(run_id, steps, **trace):
    """Return a run of (key, phase, start minute, end minute) steps."""
    activities = tuple(
        Activity(key, key.title(), phase, start * MINUTE, end * MINUTE, system="ITSM")
        for key, phase, start, end in steps
    )
    return Trace(run_id, trace.pop("agent", "ana"), activities, **trace)


def _slow_in_half():
    # r1 and r2 spend 50 of their 60 minutes in "slow"; r3 and r4 never
    # have it and take 10 minutes.
    slow = [("open", "log", 0, 5), ("slow", "investigate", 5, 55)]
    fast = [("open", "log", 0, 5)]
    end = [("fix", "resolve", 55, 60), ("done", "close", 60, 61)]
    quick = [("fix", "resolve", 5, 10), ("done", "close", 10, 11)]
    return [
        _steps("r1", slow + end),
        _steps("r2", slow + end),
        _steps("r3", fast + quick),
        _steps("r4", fast + quick),
    ]


def _bottleneck_words(runs):
    """Return the bottleneck's summary of recorded runs and of incidents."""
    [finding] = [f for f in build_report(runs).findings if f["type"] == "bottleneck"]
    return [
        texts.finding_summary(finding, {"slow": "Slow"}, imported=imported)
        for imported in (False, True)
    ]


def test_bottleneck_says_which_runs_its_median_is_over():
    report = build_report(_slow_in_half())

    [finding] = [f for f in report.findings if f["type"] == "bottleneck"]
    assert finding["params"]["runs"] == 2 and finding["params"]["of"] == 4
    assert _bottleneck_words(_slow_in_half()) == [
        "Slow takes a median of 50 min over the 2 runs that had this step "
        "(of 4); those runs took a median of 1 h to resolve.",
        "The 2 incidents that passed through Slow (of 4 resolved) spent a "
        "median of 50 min in it; those incidents took a median of 1 h to "
        "resolve.",
    ]


def test_bottleneck_in_every_run_says_all():
    assert _bottleneck_words(_slow_in_half()[:2]) == [
        "Slow takes a median of 50 min in both runs, which took a median of "
        "1 h to resolve.",
        "All 2 resolved incidents passed through Slow and spent a median of "
        "50 min in it; they took a median of 1 h to resolve.",
    ]


def test_bottleneck_of_one_incident_or_one_of_many_says_so():
    params = {"median_ms": 50 * 60_000, "runs": 1, "of": 3, "resolution_ms": 3_600_000}
    one_of_three = {"type": "bottleneck", "steps": ["slow"], "params": params}
    alone = {**one_of_three, "params": {**params, "of": 1}}

    def words(finding):
        return texts.finding_summary(finding, {"slow": "Slow"}, imported=True)

    assert words(one_of_three) == (
        "The one incident of 3 resolved that passed through Slow spent 50 min "
        "in it and took 1 h to resolve."
    )
    assert words(alone) == (
        "The incident spent 50 min in Slow, of a resolution time of 1 h."
    )


def test_many_runs_split_is_of_means_that_add_up_to_the_mean_resolution():
    # Resolution 60, 60, 10, 10 min: investigate's median is 25 min, log's 5,
    # resolve's 5: medians that sum to 35 min, against a median of 35 min by
    # chance only. The means are 5 + 25 + 5 = 35 min, the mean resolution.
    runs = _slow_in_half()[:3]
    context = report_context(build_report(runs))

    rows = {row["phase"]: row for row in context["typical_phases"]}
    resolution = [60 * MINUTE, 60 * MINUTE, 10 * MINUTE]
    assert context["mean_resolution_ms"] == round(sum(resolution) / 3)
    assert (
        sum(rows[p]["ms"] for p in rows if p != "close")
        == (context["mean_resolution_ms"])
    )
    assert context["median_resolution_ms"] == 60 * MINUTE
    assert rows["investigate"]["ms"] == round(100 * MINUTE / 3)
    assert (
        rows["investigate"]["share"]
        == rows["investigate"]["ms"] / (context["mean_resolution_ms"])
    )
    assert rows["close"]["share"] is None
    text = _text(build_report(runs))
    assert "Mean time per phase" in text and "Median time per phase" not in text
    assert "Means over the 3 resolved runs" in text
    assert "Mean resolution time (logged to resolved) 43 min 20 s 100%" in text
    assert "the median resolution time (logged to resolved) is 1 h." in text


def _itsm_choices(imported):
    priority = Decision(field="Priority", value="3 - Moderate", topic="severity")
    activities = (
        Activity("state:new", "New", "triage", 0, MINUTE, system="ITSM"),
        Activity(
            "decision:priority",
            "Priority: 3 - Moderate",
            "triage",
            MINUTE,
            MINUTE,
            kind="decision",
            decision=priority,
        ),
        Activity("state:active", "Active", "investigate", MINUTE, 9 * MINUTE),
    )
    traces = [Trace(f"INC{i}", "Group 1", activities) for i in range(2)]
    return build_report(traces, imported=imported)


def test_imported_choices_are_no_documentation_gap():
    recorded, imported = _itsm_choices(False), _itsm_choices(True)

    kinds = {f["type"] for f in recorded.findings}
    assert "missing_documentation" in kinds
    assert "missing_documentation" not in {f["type"] for f in imported.findings}
    assert "chosen without a recorded rule" in _text(recorded)
    text = _text(imported)
    assert "without a recorded rule" not in text
    assert "Every decision has a recorded rule" not in text
    assert "Documentation gaps" not in text
    assert "records no rule behind any choice" in text
    assert "Measured over 2 incidents." in text
    assert "The sections below add up the 2 incidents" in text


def test_sections_with_nothing_to_say_are_left_out():
    ruled = Decision(field="Priority", value="2 - High", topic="severity", rule="P2")
    choice = Activity(
        "itsm:set:priority", "Set Priority", "triage", 0, MINUTE, kind="decision"
    )

    bare = _text(build_report([_steps("r1", [("fix", "resolve", 0, 5)])]))
    chosen = _text(
        build_report([Trace("r1", "ana", (replace(choice, decision=ruled),))])
    )

    # One step: no transition, and no choice or note to document.
    assert "Longest steps Fix" in bare
    assert "Transitions" not in bare and "Mermaid source" not in bare
    assert "Documentation gaps" not in bare
    assert "Every decision has a recorded rule" not in bare
    assert "Documentation gaps Every decision has a recorded rule." in chosen


def test_imported_health_leaves_documentation_out_and_scales_to_100():
    recorded, imported = _itsm_choices(False), _itsm_choices(True)

    # The choices have no rule: a recording scores them 0 of 15.
    assert recorded.health["parts"]["documentation"]["points"] == 0
    assert recorded.health["left_out"] == []
    assert recorded.health["score"] == round(
        sum(part["points"] for part in recorded.health["parts"].values())
    )
    parts = imported.health["parts"]
    assert "documentation" not in parts
    assert imported.health["left_out"] == ["documentation"]
    points = sum(part["value"] * part["weight"] for part in parts.values())
    assert imported.health["score"] == round(points * 100 / 85)
    assert imported.health["score"] > recorded.health["score"]
    text = _text(imported)
    assert "Documentation:" not in text
    assert (
        "Documentation is left out: an imported history records no rule behind "
        "any choice, so the score is scaled to 100 over the other 85 points."
    ) in text
    assert "Documentation is left out" not in _text(recorded)


def test_imported_history_report_is_the_same_whatever_the_order():
    reader = csv.DictReader(
        [
            "number,incident_state,sys_updated_at,opened_at,assignment_group,priority",
            "INC1,New,01-03-2016 09:00,01-03-2016 09:00,Group A,3 - Moderate",
            "INC1,Active,01-03-2016 09:10,01-03-2016 09:00,Group B,3 - Moderate",
            "INC2,New,01-03-2016 08:00,01-03-2016 08:00,Group A,3 - Moderate",
            "INC2,Resolved,01-03-2016 09:00,01-03-2016 08:00,Group A,2 - High",
        ]
    )
    updates = history.group_updates(
        [history.parse_row(row, reader.line_num) for row in reader]
    )
    incidents = [history.incident_trace(rows) for rows in updates.values()]

    first = build_report(incidents, imported=True).to_json()
    assert build_report(incidents[::-1], imported=True).to_json() == first
    assert b'"imported":true' in first


def test_report_phase_names_are_the_sops_and_say_where_they_differ():
    names = {phase: str(name) for phase, name in texts.SPLIT_NAMES.items()}
    assert {phase: name.split(" (")[0] for phase, name in names.items()} == (
        PHASE_TITLES
    )
    text = _text(build_report([paced_trace("a1", "ana", MAIN, 2)]))
    for old in ("Logging", "Investigation", "Fix", "Close after resolution"):
        assert old not in text
    for name in ("Log", "Triage", "Investigate"):
        assert f" {name} " in text
    # The SOP's Resolve ends with its last step; the split's is cut when the
    # incident is resolved, and its name says so, as the table does.
    assert " Resolve (until resolved) " in text
    assert " Close (after resolved) " in text
    assert (
        "(Resolve ends when the state is set to Resolved. Close is the time after that"
        in text
    )


def test_report_names_a_note_step_one_way():
    report = build_report([recorded_handoff(), paced_trace("a1", "ana", MAIN, 2)])

    text = _text(report)
    assert "itsm:note:note: a note the agent wrote, not a recorded action" in text
    assert "steps known only from a note the agent wrote: itsm:note:note" in text
    assert "Write into the SOP what was done where the agent only wrote a note" in text
    assert "only named in a note" not in text
    assert "outside the browser" not in text
    assert "note-only" not in text


def test_time_per_system_shows_waiting_as_its_own_line():
    report = build_report([recorded_handoff()])

    chart = report_context(report)["steps"]["system_chart"]
    layouts = ElementTree.fromstring(f"<charts>{chart}</charts>")
    texts_ = [
        [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
        for svg in layouts
    ]
    # Label and value of each bar, in the wide layout and the narrow one:
    # the systems by their time, then Waiting.
    assert (
        texts_
        == [["Chat", "1 min 35 s", "ITSM", "1 min 15 s", "Waiting", "41 min"]] * 2
    )
    assert (
        "Waiting is the time no one acted: the recorded waits, and gaps of 2 min "
        "or more between steps, hand-off waits included. It counts for no "
        "system, whichever one was open."
    ) in _text(report)


def test_idle_waits_say_hand_off_waits_are_listed_elsewhere():
    with_move = _text(build_report([recorded_handoff()]))
    without = _text(build_report([paced_trace("a1", "ana", MAIN, 2)]))

    sentence = (
        "Hand-off waits, from a hand-off until the next team or owner took "
        "the incident up, are not listed here: they are under Hand-offs below."
    )
    assert sentence in with_move
    assert sentence not in without


def test_hand_offs_have_one_name_in_the_report():
    text = _text(
        build_report([recorded_handoff(), moving_trace("p1", ["A", "B", "A"], 2)])
    )

    assert "Hand-offs Total hand-off wait" in text  # the heading, the chart
    assert "Hand-off Times Median hand-off wait" in text
    assert "Hand-offs:" in text and "Hand-off ping-pong" in text
    for other in ("Handoff", "handoff", "Reassignment", "reassignment"):
        assert other not in text


def _depth(text):
    deepest = depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        deepest = max(deepest, depth)
    return deepest


def test_run_names_read_without_nested_brackets():
    second = _steps(
        "2",
        [("open", "log", 0, 1), ("look", "investigate", 1, 30)],
        title="Run 2",
        agent="Sam (second run)",
    )
    first = _steps("1", [("open", "log", 0, 1), ("look", "investigate", 1, 9)])
    report = build_report([first, second], approved=["open", "look"])

    text = _text(report)
    assert "Look (ITSM): 29 min — Run 2, by Sam (second run)" in text
    lines = [line for line in text.split(" — ")[1:] if "Run 2" in line]
    assert lines and all(_depth(line.split(":")[0]) <= 1 for line in lines)
    [row] = [r for r in report_context(report)["conformance"] if r["run_id"] == "2"]
    assert row["run_name"] == "Run 2, by Sam (second run)"


def _click_then_wait():
    itsm = {"system": "ITSM", "system_kind": "itsm"}
    return Trace(
        "r",
        "ana",
        (
            seconds_step("itsm:open:ticket", 0, 30, **itsm),
            seconds_step("itsm:click:refresh", 30, 30, **itsm),
            seconds_step("itsm:wait:idle", 30, 630, kind="wait", **itsm),
            seconds_step("itsm:set:state", 630, 640, **itsm),
        ),
    )


def test_transition_into_a_wait_after_a_click_shows_no_zero_time():
    report = build_report([_click_then_wait()])

    rows = {
        (row["source"], row["target"]): row
        for row in report_context(report)["transitions"]
    }
    into = rows["itsm:click:refresh", "itsm:wait:idle"]
    assert into["median_ms"] == 0 and into["at_once"] is True
    assert rows["itsm:wait:idle", "itsm:set:state"]["at_once"] is False
    text = _text(report)
    assert "itsm:click:refresh itsm:wait:idle 1 –" in text
    assert "itsm:wait:idle itsm:set:state 1 10 min" in text
    assert "A dash means the next step began within half a second" in text
    mermaid = process_map_mermaid(report.process_map)
    assert not re.search(r"\b0 s", mermaid)
    assert '|"1× · 10 min"|' in mermaid


def test_demo_sample_report_reads_cleanly():
    from tests.workflows.test_sample_report import _report_text

    _report, text = _report_text()

    transitions = text.split("Median time to the next step", 1)[1]
    transitions = transitions.split("Mermaid source", 1)[0]
    # Three waits of the demo follow a single click: no "0 s" is shown.
    assert not re.search(r"\b0 s\b", transitions)
    assert transitions.count(" 1 – ") == 3
    assert "(VPN login failures" not in text and "(Remote staff" not in text
    assert "— VPN login failures after certificate rotation, by Priya Raman" in text
