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
