"""Turn phased steps into the neutral trace the report measures. Pure."""

from apps.reports.measures import FIRST_HOLDER
from apps.reports.trace import Activity, Decision, Trace

from .steps import TOPICS, wait_label

# Who holds a recorded ticket before its first assignment, when the recording
# names no agent.
RECORDING_AGENT = "the recording agent"


def steps_to_trace(steps, *, run_id, agent="", title="", attributes=None):
    """Return a ``reports.trace.Trace`` for one run's steps.

    The recording agent holds the ticket until the run assigns it, so the
    first team or owner choice is a handoff.
    """
    attributes = {FIRST_HOLDER: agent or RECORDING_AGENT, **(attributes or {})}
    return Trace(
        run_id=str(run_id),
        agent=agent,
        title=title,
        attributes=attributes,
        activities=tuple(_activity(step) for step in steps),
    )


def decision_topic(field, topic):
    """Return ``topic``, or the one the field's label names when it is unset.

    Steps stored before topics were recorded read back as "other"; an
    "Assignment group" choice must still count as an ownership move.
    """
    if topic and topic != "other":
        return topic
    for name, pattern in TOPICS:
        if pattern.search(field):
            return name
    return "other"


def observed_rule(decision):
    """Return the rule the SOP states for ``decision``, or "" when it has none.

    The SOP's "Decision rules" name the lookups made just before a choice
    ("Before you decide Impact, look at ..."); without any, the report owes
    the choice a rule.
    """
    if not decision.looked_at:
        return ""
    return "after: " + "; ".join(decision.looked_at)


def _activity(step):
    decision = None
    if step.decision is not None:
        decision = Decision(
            field=step.decision.field,
            value=step.decision.value,
            topic=decision_topic(step.decision.field, step.decision.topic),
            rule=observed_rule(step.decision),
        )
    return Activity(
        key=step.key,
        label=_label(step),
        phase=step.phase,
        start_ms=step.start_ms,
        end_ms=step.end_ms,
        system=step.system,
        system_kind=step.system_kind,
        kind=step.kind,
        decision=decision,
        evidence=tuple(step.evidence),
    )


def _label(step):
    """Return what the report calls ``step``.

    A wait step's text names its duration, which the report shows beside
    every step anyway: it reads as the SOP words it, without its time, so
    the waits of many runs for one team are one step under one true label.
    A wait an editor reworded keeps the editor's words.
    """
    if step.kind != "wait" or step.edited:
        return step.text
    return wait_label(step.text)
