"""Put each step in a phase: log, triage, investigate, resolve or close.

Pure: no Django. In order of precedence: an editor's choice for the step,
then the phase the recorder marked (it holds until the next mark), then, for
steps before any mark, the rules below, which ``docs/sop-rules.md`` explains.
A step no rule speaks for stays in the phase of the step before it; the
first such step is in log.
"""

import re

PHASES = ("log", "triage", "investigate", "resolve", "close")
TRIAGE_TOPICS = ("severity", "category", "team", "owner")

RESOLVE_FIELD = re.compile(
    r"resolution|resolve|work ?around|fix|solution|root cause", re.IGNORECASE
)
CLOSE_FIELD = re.compile(r"close|closure|closing", re.IGNORECASE)
RESOLVED_VALUE = re.compile(r"resolv|fixed|restored|solved", re.IGNORECASE)
CLOSED_VALUE = re.compile(r"clos|cancel|complete|done", re.IGNORECASE)
ACTIVE_VALUE = re.compile(r"progress|work|investigat|active|open", re.IGNORECASE)


def phase_by_rule(step, *, triaged, current):
    """Return the phase the rules give ``step``, or ``None`` to inherit."""
    decision = step.decision
    if decision is not None:
        return _decision_phase(decision)
    if step.verb == "enter":
        if CLOSE_FIELD.search(step.text):
            return "close"
        if RESOLVE_FIELD.search(step.text):
            return "resolve"
    if step.system_kind == "itsm" and step.verb in ("open", "create") and not triaged:
        return "log"
    if step.system_kind == "itsm" and step.verb == "enter" and not triaged:
        return "log"
    if step.system_kind == "monitoring" or (
        step.system_kind == "admin" and step.kind == "lookup"
    ):
        if not triaged:
            # Looking at impact before choosing priority is part of triage.
            return "triage"
        return "investigate" if current in PHASES[:3] else None
    if step.system_kind == "admin":
        return "resolve"
    return None


def _decision_phase(decision):
    if decision.topic in TRIAGE_TOPICS:
        return "triage"
    if decision.topic == "state":
        if RESOLVED_VALUE.search(decision.value):
            return "resolve"
        if CLOSED_VALUE.search(decision.value):
            return "close"
        if ACTIVE_VALUE.search(decision.value):
            return "triage"
    if CLOSE_FIELD.search(decision.field):
        return "close"
    if RESOLVE_FIELD.search(decision.field):
        return "resolve"
    return None


def assign_phases(steps, *, overrides=None):
    """Set ``phase`` and ``phase_source`` on every step, in place; return them.

    A recorder's mark holds for every step after it until the next mark; the
    rules decide only the steps before the first mark, or all of them when
    the recorder marked nothing.
    """
    overrides = overrides or {}
    current = "log"
    triaged = False
    for step in steps:
        if step.ref in overrides and overrides[step.ref] in PHASES:
            step.phase, step.phase_source = overrides[step.ref], "editor"
        elif step.mark in PHASES:
            step.phase, step.phase_source = step.mark, "mark"
        else:
            ruled = phase_by_rule(step, triaged=triaged, current=current)
            step.phase, step.phase_source = ruled or current, "rule"
        current = step.phase
        decision = step.decision
        triaged = triaged or (decision is not None and decision.topic in TRIAGE_TOPICS)
    return steps
