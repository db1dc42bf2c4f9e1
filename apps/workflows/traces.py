"""Turn phased steps into the neutral trace the report measures. Pure."""

from apps.reports.trace import Activity, Decision, Trace


def steps_to_trace(steps, *, run_id, agent="", title="", attributes=None):
    """Return a ``reports.trace.Trace`` for one run's steps."""
    return Trace(
        run_id=str(run_id),
        agent=agent,
        title=title,
        attributes=dict(attributes or {}),
        activities=tuple(_activity(step) for step in steps),
    )


def _activity(step):
    decision = None
    if step.decision is not None:
        decision = Decision(
            field=step.decision.field,
            value=step.decision.value,
            topic=step.decision.topic,
        )
    return Activity(
        key=step.key,
        label=step.text,
        phase=step.phase,
        start_ms=step.start_ms,
        end_ms=step.end_ms,
        system=step.system,
        system_kind=step.system_kind,
        kind=step.kind,
        decision=decision,
        evidence=tuple(step.evidence),
    )
