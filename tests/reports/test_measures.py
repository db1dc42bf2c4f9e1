from apps.reports.measures import documentation_gaps, median, run_measures
from apps.reports.report import build_report
from apps.reports.trace import Activity, Decision, Trace

from .traces import recorded_handoff, seconds_step

MINUTE = 60_000


def _step(key, phase, start, end, **extra):
    return Activity(
        key=key,
        label=key,
        phase=phase,
        start_ms=start * MINUTE,
        end_ms=end * MINUTE,
        **extra,
    )


def _one_run():
    priority = Decision(field="Priority", value="2 - High", topic="severity")
    group = Decision(
        field="Assignment group", value="Network", topic="team", rule="P2 network"
    )
    moved = Decision(field="Assignment group", value="Servers", topic="team")
    return Trace(
        run_id="r1",
        agent="ana",
        activities=(
            _step("open", "log", 0, 1, system="ServiceNow", system_kind="itsm"),
            _step("priority", "triage", 1, 2, system="ServiceNow", decision=priority),
            _step("group", "triage", 2, 3, system="ServiceNow", decision=group),
            _step("grafana", "investigate", 3, 8, system="Grafana", kind="lookup"),
            _step("ad", "investigate", 10, 12, system="Azure AD", kind="lookup"),
            _step("move", "investigate", 12, 12, system="ServiceNow", decision=moved),
            _step("restart", "resolve", 30, 38, system="Azure AD"),
            _step("call", "resolve", 38, 39, kind="note"),
            _step("close", "close", 50, 51, system="ServiceNow"),
        ),
    )


def test_phase_split_sums_to_resolution_time():
    timing = run_measures(_one_run())["timing"]

    # Logged at 0; no state was set to Resolved, so the run is resolved when
    # its close phase begins (50); finished at 51.
    assert timing["resolution_ms"] == 50 * MINUTE
    # Each step owns the time until the next one starts: open 0-1, priority
    # 1-2 and group 2-3 (triage 2), grafana 3-10, ad 10-12 and move 12-30
    # (investigate 27), restart 30-38 and call 38-50 (resolve 20).
    assert timing["split"] == {
        "log": 1 * MINUTE,
        "triage": 2 * MINUTE,
        "investigate": 27 * MINUTE,
        "resolve": 20 * MINUTE,
    }
    assert sum(timing["split"].values()) == timing["resolution_ms"]
    # Close owns 50-51.
    assert timing["close_ms"] == 1 * MINUTE


def _resolved_then_waited():
    resolved = Decision(field="State", value="Resolved", topic="state")
    closed = Decision(field="State", value="Closed", topic="state")
    return Trace(
        run_id="r1",
        agent="ana",
        activities=(
            _step("itsm:open:ticket", "log", 0, 2, system="ServiceNow"),
            _step("admin:click:restart", "resolve", 2, 12, system="Admin"),
            _step("itsm:set:state", "resolve", 12, 13, decision=resolved),
            _step("itsm:submit:update", "resolve", 13, 14, system="ServiceNow"),
            _step("itsm:wait:idle", "resolve", 14, 54, kind="wait"),
            _step("chat:note:note", "resolve", 54, 55, kind="note"),
            _step("itsm:set:state", "close", 55, 56, decision=closed),
        ),
    )


def test_resolution_ends_at_the_state_set_to_resolved():
    report = build_report([_resolved_then_waited()])
    timing = report.runs[0]["timing"]

    # Resolved when State is set to Resolved (ends at 13); the save, the
    # 40-minute wait, the note and closing (13-56) are close-out.
    assert timing["resolution_ms"] == 13 * MINUTE
    assert timing["split"] == {
        "log": 2 * MINUTE,
        "triage": 0,
        "investigate": 0,
        "resolve": 11 * MINUTE,
    }
    assert timing["close_ms"] == 43 * MINUTE
    # The wait after resolution is not what kept the incident open: the
    # restart (10 of 13 minutes) is a bottleneck step, the wait is not.
    bottlenecks = [
        f for f in report.findings if f["type"] == "bottleneck" and len(f["steps"]) == 1
    ]
    assert [(f["steps"], f["params"]["median_ms"]) for f in bottlenecks] == [
        (["admin:click:restart"], 10 * MINUTE),
    ]
    assert bottlenecks[0]["params"]["resolution_ms"] == 13 * MINUTE


def test_run_measures_time_per_system_and_longest_steps():
    measures = run_measures(_one_run())

    systems = {row["system"]: row["duration_ms"] for row in measures["systems"]}
    assert systems == {
        "Azure AD": 10 * MINUTE,
        "Grafana": 5 * MINUTE,
        "ServiceNow": 4 * MINUTE,
        "unknown": 1 * MINUTE,
    }
    assert [s["key"] for s in measures["longest_steps"]] == [
        "restart",
        "grafana",
        "ad",
        "open",
        "priority",
    ]


def test_time_per_system_leaves_a_wait_to_waiting():
    measures = run_measures(recorded_handoff())

    # The 41-minute wait after the save was in ITSM's tab, but no one acted:
    # ITSM keeps only its 75 seconds of steps.
    systems = {row["system"]: row["duration_ms"] for row in measures["systems"]}
    assert systems == {"Chat": 95_000, "ITSM": 75_000}
    assert measures["waiting_ms"] == 41 * MINUTE


def test_waiting_adds_the_idle_gaps_hand_off_waits_included():
    measures = run_measures(_one_run())

    # Gaps of 2 (grafana to ad), 18 (the move's wait) and 11 minutes (call to
    # close); the minute between two steps is under the idle threshold.
    assert measures["waiting_ms"] == 31 * MINUTE


def test_run_measures_idle_waits_lookups_and_handoffs():
    measures = run_measures(_one_run())

    gaps = [(w["after"], w["before"], w["duration_ms"]) for w in measures["idle_waits"]]
    # The 18 minutes from the move to the restart are the move's wait, not
    # also an idle wait.
    assert gaps == [
        ("grafana", "ad", 2 * MINUTE),
        ("call", "close", 11 * MINUTE),
    ]
    assert measures["lookups"]["count"] == 2
    assert measures["lookups"]["by_system"] == {"Azure AD": 1, "Grafana": 1}
    [move] = measures["handoffs"]
    assert (move["from"], move["to"], move["wait_ms"]) == (
        "Network",
        "Servers",
        18 * MINUTE,
    )


def test_run_measures_documentation_gaps_and_openings():
    measures = run_measures(_one_run())

    gaps = [(gap["type"], gap["key"]) for gap in measures["documentation_gaps"]]
    assert gaps == [
        ("decision_without_rule", "priority"),
        ("decision_without_rule", "move"),
        ("note_only_step", "call"),
    ]
    openings = measures["openings"]
    assert [row["key"] for row in openings["suggest_triage"]] == ["priority", "group"]
    assert [row["key"] for row in openings["shortcut_lookups"]] == ["grafana", "ad"]
    # One threshold: every idle wait (2 and 11 minutes) is an alert, and so
    # is the 18-minute wait after the move, once.
    assert [(row["kind"], row["key"]) for row in openings["stall_alerts"]] == [
        ("gap", "ad"),
        ("gap", "close"),
        ("handoff", "move"),
    ]


def test_phase_split_uses_known_logged_and_resolved_times():
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(_step("work", "investigate", 5, 20),),
        attributes={"logged_ms": 0, "resolved_ms": 15 * MINUTE},
    )

    timing = run_measures(trace)["timing"]

    assert timing["split"] == {
        "log": 5 * MINUTE,
        "triage": 0,
        "investigate": 10 * MINUTE,
        "resolve": 0,
    }
    assert timing["close_ms"] == 5 * MINUTE


def test_run_measures_empty_trace_is_zero():
    measures = run_measures(Trace(run_id="r", agent="a", activities=()))

    assert measures["timing"]["resolution_ms"] == 0
    assert measures["steps"] == []


def test_median_even_count_is_mean_of_middle_pair():
    assert median([4, 1, 3, 2]) == 2.5
    assert median([1, 3, 5, 7]) == 4
    assert median([]) is None


def _choice(key, start, value, topic="state"):
    decision = Decision(field=key, value=value, topic=topic)
    return _step(key, "resolve", start, start + 1, kind="decision", decision=decision)


def test_run_measures_state_moves_saves_and_notes_are_not_rework():
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            _choice("itsm:set:state", 0, "In Progress"),
            _step("itsm:submit:update", "resolve", 1, 2),
            _step("itsm:switch:ticket", "resolve", 2, 3),
            _step("communication:note:note", "resolve", 3, 4, kind="note"),
            _choice("itsm:set:state", 4, "Resolved"),
            _step("itsm:submit:update", "resolve", 5, 6),
            _step("itsm:switch:ticket", "resolve", 6, 7),
            _step("communication:note:note", "resolve", 7, 8, kind="note"),
            _step("grafana", "resolve", 8, 9, kind="lookup"),
            _step("grafana", "resolve", 10, 11, kind="lookup"),
        ),
    )

    assert run_measures(trace)["rework"] == []


def test_run_measures_same_action_after_other_work_is_rework():
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            _step("admin:restart:service", "resolve", 0, 1),
            _choice("itsm:set:priority", 1, "2 - High", "severity"),
            _step("lookup", "resolve", 2, 3, kind="lookup"),
            _step("admin:restart:service", "resolve", 3, 4),
            # Set, changed, set back: undone and redone.
            _choice("itsm:set:priority", 4, "3 - Moderate", "severity"),
            _step("itsm:submit:update", "resolve", 5, 6),
            _choice("itsm:set:priority", 6, "2 - High", "severity"),
        ),
    )

    assert run_measures(trace)["rework"] == [
        "admin:restart:service",
        "itsm:set:priority",
    ]


def test_run_measures_first_assignment_moves_from_the_first_holder():
    group = Decision(field="Assignment group", value="Network", topic="team")
    owner = Decision(field="Assigned to", value="Dana", topic="owner")
    activities = (
        _step("group", "triage", 0, 1, kind="decision", decision=group),
        _step("owner", "triage", 1, 2, kind="decision", decision=owner),
        _step("work", "investigate", 5, 6),
    )
    held = Trace("r", "sam", activities, attributes={"first_holder": "sam"})

    moves = run_measures(held)["handoffs"]

    # Group then owner is one move, waiting from the owner choice (2) until
    # the work at minute 5.
    assert [(m["from"], m["to"], m["wait_ms"]) for m in moves] == [
        ("sam", "Network (Dana)", 3 * MINUTE),
    ]
    # Without a known first holder the first choice is an assignment only.
    assert run_measures(Trace("r", "sam", activities))["handoffs"] == []


def _seconds(key, start, end, **extra):
    return Activity(
        key=key,
        label=key,
        phase="triage",
        start_ms=start * 1000,
        end_ms=end * 1000,
        system="ServiceNow",
        **extra,
    )


def test_owner_and_group_saved_together_are_one_handoff():
    owner = Decision(field="Assigned to", value="Marek Novak", topic="owner")
    group = Decision(
        field="Assignment group", value="Identity and Access", topic="team"
    )
    later = Decision(field="Assigned to", value="Eva Horak", topic="owner")
    # Tomás picks the owner at 26:08 and the group at 26:10, saves at 26:12;
    # work resumes at 40:00. Later he gives the ticket to another owner alone.
    activities = (
        _seconds("itsm:set:assigned-to", 1566, 1568, kind="decision", decision=owner),
        _seconds(
            "itsm:set:assignment-group", 1568, 1570, kind="decision", decision=group
        ),
        _seconds("itsm:submit:update", 1572, 1573),
        _seconds("itsm:set:state", 2400, 2402, kind="decision"),
        _seconds("itsm:submit:update", 2402, 2403),
        _seconds("itsm:set:assigned-to", 2500, 2502, kind="decision", decision=later),
        _seconds("itsm:submit:update", 2503, 2504),
    )
    trace = Trace("r", "Tomás", activities, attributes={"first_holder": "Tomás"})

    measures = run_measures(trace)

    # One hand-off to "group (owner)", waiting from its save (done at 26:13)
    # to the state set at 40:00: 13 min 47 s, counted and alerted once. The
    # owner change after a save is a hand-off of its own, with no work after.
    moves = measures["handoffs"]
    assert [(m["from"], m["to"], m["wait_ms"]) for m in moves] == [
        ("Tomás", "Identity and Access (Marek Novak)", 827_000),
        ("Marek Novak", "Eva Horak", None),
    ]
    alerts = measures["openings"]["stall_alerts"]
    assert [(a["kind"], a["wait_ms"]) for a in alerts] == [("handoff", 827_000)]
    assert build_report([trace]).health["parts"]["handoffs"]["value"] == round(1 / 3, 4)


def test_run_measures_every_idle_wait_is_a_stall_alert():
    wait = _step("idle", "resolve", 1, 4, kind="wait")
    trace = Trace("r", "a", (_step("a", "resolve", 0, 1), wait))

    measures = run_measures(trace)

    assert len(measures["idle_waits"]) == 1
    assert measures["openings"]["stall_alerts"] == [
        {"kind": "wait", "key": "idle", "wait_ms": 3 * MINUTE}
    ]


def test_run_measures_handoff_waits_past_the_save_until_work_resumes():
    measures = run_measures(recorded_handoff())

    [move] = measures["handoffs"]
    # The note and the save of the same form are the hand-off: it ends with
    # the save (65 s), and its wait runs past the recorded wait to the chat
    # opened at 2,525 s, exactly as long as that wait step.
    [wait] = [a for a in recorded_handoff().activities if a.kind == "wait"]
    assert (move["at_ms"], move["wait_ms"]) == (65_000, 2_460_000)
    assert move["wait_ms"] == wait.duration_ms
    # The 41 minutes are the hand-off's wait, so they are no idle wait and
    # raise one alert, as a hand-off.
    assert measures["idle_waits"] == []
    assert measures["openings"]["stall_alerts"] == [
        {"kind": "handoff", "key": "itsm:set:assignment-group", "wait_ms": 2_460_000}
    ]


def test_run_measures_handoff_wait_skips_coming_back_to_the_ticket():
    trace = recorded_handoff()
    # Without the chat, switching back to the ticket is not work yet; the
    # state set after it is.
    activities = tuple(a for a in trace.activities if a.system != "Chat")

    [move] = run_measures(
        Trace("r", "priya", activities, attributes={"first_holder": "priya"})
    )["handoffs"]

    assert move["wait_ms"] == 2_625_000 - 65_000


def test_run_measures_late_save_is_work_resuming():
    group = Decision(field="Assignment group", value="Identity", topic="team")
    trace = Trace(
        "r",
        "priya",
        (
            seconds_step(
                "itsm:set:assignment-group",
                0,
                10,
                kind="decision",
                decision=group,
                system="ITSM",
            ),
            # Saved three minutes after the choice: past the 2-minute window.
            seconds_step("itsm:submit:update", 190, 191, system="ITSM"),
        ),
        attributes={"first_holder": "priya"},
    )

    [move] = run_measures(trace)["handoffs"]

    assert move["wait_ms"] == 180_000


def test_only_triage_choices_without_a_rule_are_documentation_gaps():
    choices = [
        ("channel", Decision(field="Channel", value="Phone")),
        ("state", Decision(field="State", value="Closed", topic="state")),
        ("impact", Decision(field="Impact", value="2 - High", topic="severity")),
        ("owner", Decision(field="Assigned to", value="Dana", topic="owner")),
    ]
    steps = [
        _step(key, "triage", 0, 1, kind="decision", decision=decision)
        for key, decision in choices
    ]

    gaps = [gap["key"] for gap in documentation_gaps(steps)]

    assert gaps == ["impact", "owner"]
