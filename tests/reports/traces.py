"""Traces built by hand for the report tests; times in whole minutes."""

from apps.reports.trace import Activity, Decision, Trace

MINUTE = 60_000

PHASE = {
    "open": "log",
    "priority": "triage",
    "group": "triage",
    "lookup": "investigate",
    "restart": "resolve",
    "close": "close",
}
SYSTEM = {
    "open": "ServiceNow",
    "priority": "ServiceNow",
    "group": "ServiceNow",
    "lookup": "Grafana",
    "restart": "Azure AD",
    "close": "ServiceNow",
}
DECISIONS = {
    "priority": Decision(field="Priority", value="2 - High", topic="severity"),
    "group": Decision(
        field="Assignment group", value="Network", topic="team", rule="Network → NOC"
    ),
}

# What the report keys a decision by: the step and the value chosen.
KEYED = {key: f"{key}={decision.value}" for key, decision in DECISIONS.items()}


def keyed(keys):
    """Return ``keys`` as the report names them, decisions with their value."""
    return [KEYED.get(key, key) for key in keys]


def paced_trace(run_id, agent, keys, gap_minutes):
    """Return a run whose steps last one minute each, ``gap_minutes`` apart."""
    activities = []
    for index, key in enumerate(keys):
        start = index * (1 + gap_minutes) * MINUTE
        activities.append(
            Activity(
                key=key,
                label=key.title(),
                phase=PHASE.get(key, "resolve"),
                start_ms=start,
                end_ms=start + MINUTE,
                system=SYSTEM.get(key, ""),
                kind="lookup" if key == "lookup" else "action",
                decision=DECISIONS.get(key),
            )
        )
    return Trace(run_id=run_id, agent=agent, activities=tuple(activities))


MAIN = ("open", "priority", "group", "lookup", "restart", "close")
SKIPS_PRIORITY = ("open", "group", "lookup", "restart", "close")
SWAPS = ("open", "priority", "lookup", "group", "restart", "close")
REDOES_PRIORITY = (
    "open",
    "priority",
    "group",
    "lookup",
    "priority",
    "restart",
    "close",
)

# run id, agent, path, gap between steps in minutes
TWELVE = (
    ("a1", "ana", MAIN, 1),
    ("a2", "ana", MAIN, 1),
    ("a3", "ana", MAIN, 2),
    ("a4", "ana", MAIN, 2),
    ("b1", "ben", MAIN, 2),
    ("b2", "ben", MAIN, 3),
    ("b3", "ben", MAIN, 3),
    ("b4", "ben", SWAPS, 4),
    ("c1", "cho", SKIPS_PRIORITY, 4),
    ("c2", "cho", SKIPS_PRIORITY, 5),
    ("c3", "cho", MAIN, 5),
    ("c4", "cho", REDOES_PRIORITY, 6),
)


def twelve_traces():
    return [paced_trace(*row) for row in TWELVE]


def recorded_handoff():
    """Return Priya's run as recorded: assign, note, save, 41 min, then work.

    Times in seconds from minute 0, as the step builder lays them out: the
    wait step fills the silence between the save and the next event.
    """
    group = Decision(field="Assignment group", value="Identity", topic="team")
    itsm = {"system": "ITSM", "system_kind": "itsm"}
    chat = {"system": "Chat", "system_kind": "communication"}
    return Trace(
        "r",
        "priya",
        (
            seconds_step("itsm:set:category", 0, 10, kind="decision", **itsm),
            seconds_step(
                "itsm:set:assignment-group",
                10,
                60,
                kind="decision",
                decision=group,
                **itsm,
            ),
            seconds_step("itsm:note:note", 60, 64, kind="note", **itsm),
            seconds_step("itsm:submit:update", 64, 65, **itsm),
            seconds_step("itsm:wait:idle", 65, 65 + 41 * 60, kind="wait", **itsm),
            seconds_step("communication:open:identity-ops", 2525, 2620, **chat),
            seconds_step("itsm:switch:ticket", 2620, 2625, **itsm),
            seconds_step("itsm:set:state", 2625, 2630, kind="decision", **itsm),
        ),
        attributes={"first_holder": "priya"},
    )


def seconds_step(key, start, end, **extra):
    """Return an activity from ``start`` to ``end`` seconds."""
    return Activity(
        key=key,
        label=key,
        phase="investigate",
        start_ms=start * 1000,
        end_ms=end * 1000,
        **extra,
    )


def moving_trace(run_id, teams, gap):
    """Return a run that assigns ``teams`` in turn, ``gap`` minutes apart."""
    activities = [
        Activity(
            key=f"assign{index}",
            label=team,
            phase="triage",
            start_ms=index * (1 + gap) * MINUTE,
            end_ms=(index * (1 + gap) + 1) * MINUTE,
            decision=Decision(field="Assignment group", value=team, topic="team"),
        )
        for index, team in enumerate(teams)
    ]
    last = activities[-1].end_ms
    activities.append(
        Activity(
            key="work",
            label="Work",
            phase="resolve",
            start_ms=last + gap * MINUTE,
            end_ms=last + (gap + 1) * MINUTE,
        )
    )
    return Trace(run_id=run_id, agent="x", activities=tuple(activities))
