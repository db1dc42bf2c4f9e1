from apps.reports.measures import median, run_measures
from apps.reports.trace import Activity, Decision, Trace

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

    # Logged at 0, resolved when the last non-close step ends (39), finished at 51.
    assert timing["resolution_ms"] == 39 * MINUTE
    # Each step owns the time until the next one starts: open 0-1, priority
    # 1-2 and group 2-3 (triage 2), grafana 3-10, ad 10-12 and move 12-30
    # (investigate 27), restart 30-38 and call 38-39 before resolution (9).
    assert timing["split"] == {
        "log": 1 * MINUTE,
        "triage": 2 * MINUTE,
        "investigate": 27 * MINUTE,
        "resolve": 9 * MINUTE,
    }
    assert sum(timing["split"].values()) == timing["resolution_ms"]
    # The call owns 39-50 after resolution, close 50-51.
    assert timing["close_ms"] == 12 * MINUTE


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


def test_run_measures_idle_waits_lookups_and_handoffs():
    measures = run_measures(_one_run())

    gaps = [(w["after"], w["before"], w["duration_ms"]) for w in measures["idle_waits"]]
    assert gaps == [
        ("grafana", "ad", 2 * MINUTE),
        ("move", "restart", 18 * MINUTE),
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
    # The 18-minute waits pass the 15-minute stall threshold; 11 minutes do not.
    assert [(row["kind"], row["key"]) for row in openings["stall_alerts"]] == [
        ("gap", "restart"),
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
