"""What the report measures: runs of a workflow as neutral traces.

The workflow pipeline turns each recording's steps into a ``Trace``; the
incident-history import turns each incident's updates into one too. The
measures in this app read only these types. Pure: no Django, no clock.
Times are milliseconds since the epoch, already corrected for clock offset.
"""

from dataclasses import dataclass, field

PHASES = ("log", "triage", "investigate", "resolve", "close")


@dataclass(frozen=True, slots=True)
class Decision:
    """A choice the agent made, e.g. field "Priority", value "2 - High"."""

    field: str
    value: str
    # What the choice is about: severity, category, team, owner, state or other.
    topic: str = "other"
    # The documented rule the choice followed, where one was recorded; empty
    # means the recording shows the choice but not why it was made.
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Activity:
    key: str  # stable identity of the step across runs, e.g. "itsm:set:priority"
    label: str  # what a person reads: "Set Priority to 2 - High"
    phase: str  # one of PHASES
    start_ms: int
    end_ms: int
    system: str = ""  # "ServiceNow"
    system_kind: str = "other"  # itsm, monitoring, admin, communication, other
    kind: str = "action"  # action, decision, lookup, wait, note
    decision: Decision | None = None
    # Sequence numbers of the recorded events behind this activity.
    evidence: tuple[int, ...] = ()

    @property
    def duration_ms(self):
        return max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True, slots=True)
class Trace:
    run_id: str
    agent: str
    activities: tuple[Activity, ...]
    title: str = ""
    # Facts known about the incident beyond the steps, e.g. from the ITSM
    # history: {"priority": "2 - High", "category": "Network"}.
    attributes: dict = field(default_factory=dict)
