"""What the report measures: runs of a workflow as neutral traces.

The workflow pipeline turns each recording's steps into a ``Trace``; the
incident-history import turns each incident's updates into one too. The
measures in this app read only these types. Pure: no Django, no clock.
Times are milliseconds since the epoch, already corrected for clock offset.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

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


# What a step reads as in a view over many occurrences, when their own
# labels differ: a wait's label would name one wait's duration, a note's one
# note's text.
NEUTRAL_LABELS = {"wait": "Wait", "note": "Note"}
# How many differing labels a shared label lists before it stops.
SHARED_LABELS_SHOWN = 3
# A ticket number in a label ("Save INC0048213"): each run works on its own.
TICKET_NUMBER = re.compile(r"\b[A-Z]{2,6}\d{4,}\b")


def distinct_key(activity: Activity) -> str:
    """Return the key of ``activity`` with the value it chose, for a decision.

    Steps share a key when they are the same kind of step ("Set State"); two
    choices of one field with different values ("Set State to Resolved",
    "Set State to Closed") are different steps of a process.
    """
    decision = activity.decision
    if decision is None:
        return activity.key
    return f"{activity.key}={decision.value}"


def with_distinct_keys(trace: Trace) -> Trace:
    """Return ``trace`` with each activity keyed by ``distinct_key``."""
    activities = tuple(
        activity if activity.decision is None else _rekeyed(activity)
        for activity in trace.activities
    )
    return replace(trace, activities=activities)


def _rekeyed(activity):
    # Built field by field: ``dataclasses.replace`` looks the fields up again
    # for each activity, which over an organization's whole history is felt.
    return Activity(
        key=distinct_key(activity),
        label=activity.label,
        phase=activity.phase,
        start_ms=activity.start_ms,
        end_ms=activity.end_ms,
        system=activity.system,
        system_kind=activity.system_kind,
        kind=activity.kind,
        decision=activity.decision,
        evidence=activity.evidence,
    )


def shared_label(kind, labels, systems=()):
    """Return one label true of every occurrence of a step, given their labels.

    One label shared by all is that label, and labels that differ only in
    their ticket numbers read "the ticket". Otherwise a wait or a note reads
    neutrally, naming its system when all occurred in one, and any other
    step lists what its occurrences were called.
    """
    distinct = list(dict.fromkeys(labels))
    if len(distinct) == 1:
        return distinct[0]
    unnumbered = {TICKET_NUMBER.sub("the ticket", label) for label in distinct}
    if len(unnumbered) == 1:
        return unnumbered.pop()
    if kind in NEUTRAL_LABELS:
        places = set(systems) - {""}
        where = f" in {places.pop()}" if len(places) == 1 else ""
        return NEUTRAL_LABELS[kind] + where
    shown = " / ".join(distinct[:SHARED_LABELS_SHOWN])
    more = len(distinct) - SHARED_LABELS_SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown


def key_labels(activities):
    """Return {key: shared label} over ``activities``, of one run or many."""
    labels, systems, kinds = defaultdict(dict), defaultdict(set), {}
    for activity in activities:
        labels[activity.key][activity.label] = True
        systems[activity.key].add(activity.system)
        kinds.setdefault(activity.key, activity.kind)
    return {
        key: shared_label(kinds[key], seen, systems[key])
        for key, seen in labels.items()
    }
