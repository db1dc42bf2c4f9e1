"""Incident history from an ITSM audit export: parse, measure, suggest.

Pure: the rows come in as mappings (from ``csv.DictReader``) and go out as
plain values; storing them is ``services``' job. Times in the export carry no
zone; they are read as UTC, which leaves every duration as it was.
"""

import calendar
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import ngettext

from apps.core.text import text_clean

from .measures import OPEN, median
from .trace import Activity, Decision, Trace

MISSING = "?"
DATE_FORMAT = "%d-%m-%Y %H:%M"
# The years an export's dates may fall in. A date outside is a typo or a
# placeholder such as 01-01-0001, and it would stretch every duration and
# silence measured against it by centuries. Fixed, not relative to today:
# the core reads no clock, and an old export must read the same next year.
FIRST_YEAR = 1970
LAST_YEAR = 2100
REQUIRED_COLUMNS = (
    "number",
    "incident_state",
    "sys_updated_at",
    "opened_at",
    "assignment_group",
    "priority",
)
OPTIONAL_COLUMNS = (
    "sys_updated_by",
    "sys_mod_count",
    "assigned_to",
    "reassignment_count",
    "made_sla",
    "resolved_at",
    "closed_at",
    "category",
    "subcategory",
    "u_symptom",
    "cmdb_ci",
    "impact",
    "urgency",
    "contact_type",
)
# The columns kept as the incident's descriptive fields, by field name.
FIELD_COLUMNS = {
    "category": "category",
    "subcategory": "subcategory",
    "symptom": "u_symptom",
    "cmdb_ci": "cmdb_ci",
    "impact": "impact",
    "urgency": "urgency",
    "contact_type": "contact_type",
}
CLOSED_STATE = "Closed"
DONE_STATES = ("Resolved", CLOSED_STATE)
STATE_PHASES = {"New": "triage", "Active": "investigate", "Resolved": "close"}
SIMILARITY_WEIGHTS = {"cmdb_ci": 3, "symptom": 2, "subcategory": 2, "category": 1}
STALL_FACTOR = 3
# The similar incidents that vote on a suggestion, and how many of them a
# suggestion needs: fewer is too little evidence to suggest anything.
SUGGEST_LIMIT = 5
MIN_EVIDENCE = 3
# A suggested value must be backed by this many voters: one is an anecdote.
MIN_BACKING = 2
# A resolution over this many times the organization's median is an outlier
# that shows how an incident should not go; it does not vote.
SLOW_FACTOR = 3
# The similar incidents listed, and the incidents named behind a suggested
# value; the rest are counted.
SIMILAR_SHOWN = 20
NUMBERS_SHOWN = 10
# The values named, most often first, when none has a clear majority.
LEADING_SHOWN = 3


class HistoryError(ValueError):
    """A row of the export that cannot be read; the message names the spot."""

    def __init__(self, message, *, line, column=None):
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class ColumnLimits:
    """The most characters each text column holds, and each number's range."""

    lengths: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)


NO_LIMITS = ColumnLimits()


@dataclass(frozen=True, slots=True)
class Update:
    line: int
    number: str
    state: str
    updated_ms: int
    updated_by: str
    assignment_group: str
    assigned_to: str
    priority: str
    made_sla: bool | None
    reassignment_count: int | None
    mod_count: int | None
    opened_ms: int
    resolved_ms: int | None
    closed_ms: int | None
    fields: dict


def _value(row, column):
    value = text_clean(row.get(column) or "").strip()
    return "" if value == MISSING else value


def _text(row, column, line, limits):
    value = _value(row, column)
    longest = limits.lengths.get(column)
    if longest is not None and len(value) > longest:
        raise HistoryError(
            f"Line {line}: {column} is {len(value)} characters long; "
            f"at most {longest} fit.",
            line=line,
            column=column,
        )
    return value


def _time(row, column, line, *, required):
    value = _value(row, column)
    if not value:
        if required:
            raise HistoryError(
                f"Line {line}: {column} is missing.", line=line, column=column
            )
        return None
    try:
        moment = datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        raise HistoryError(
            f"Line {line}: {column} is {value!r}, not a date like 29-02-2016 01:16.",
            line=line,
            column=column,
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise HistoryError(
            f"Line {line}: {column} is {value!r}, not a date from {FIRST_YEAR} "
            f"to {LAST_YEAR}.",
            line=line,
            column=column,
        )
    return calendar.timegm(moment.timetuple()) * 1000


def _integer(row, column, line, limits):
    value = _value(row, column)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise HistoryError(
            f"Line {line}: {column} is {value!r}, not a whole number.",
            line=line,
            column=column,
        ) from None
    low, high = limits.ranges.get(column, (-math.inf, math.inf))
    if not low <= number <= high:
        raise HistoryError(
            f"Line {line}: {column} is {number}, not a whole number "
            f"from {low} to {high}.",
            line=line,
            column=column,
        )
    return number


def _flag(row, column):
    value = _value(row, column).upper()
    return {"TRUE": True, "FALSE": False}.get(value)


def check_columns(columns):
    """Raise ``HistoryError`` naming the required columns the header lacks."""
    missing = [name for name in REQUIRED_COLUMNS if name not in (columns or ())]
    if missing:
        raise HistoryError(
            ngettext(
                "The file lacks the column %(columns)s.",
                "The file lacks the columns %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)},
            line=1,
        )


def parse_row(row, line, *, limits=NO_LIMITS):
    """Return the ``Update`` of one export row; ``line`` is its line number.

    ``limits`` refuses values longer or larger than their columns may hold.
    """

    def text(column):
        return _text(row, column, line, limits)

    def integer(column):
        return _integer(row, column, line, limits)

    number = text("number")
    state = text("incident_state")
    if not number:
        raise HistoryError(f"Line {line}: number is missing.", line=line)
    if not state:
        raise HistoryError(f"Line {line}: incident_state is missing.", line=line)
    return Update(
        line=line,
        number=number,
        state=state,
        updated_ms=_time(row, "sys_updated_at", line, required=True),
        updated_by=text("sys_updated_by"),
        assignment_group=text("assignment_group"),
        assigned_to=text("assigned_to"),
        priority=text("priority"),
        made_sla=_flag(row, "made_sla"),
        reassignment_count=integer("reassignment_count"),
        mod_count=integer("sys_mod_count"),
        opened_ms=_time(row, "opened_at", line, required=True),
        resolved_ms=_time(row, "resolved_at", line, required=False),
        closed_ms=_time(row, "closed_at", line, required=False),
        fields={name: text(column) for name, column in FIELD_COLUMNS.items()},
    )


def group_updates(updates):
    """Return {number: updates ordered by time, then by file order}."""
    grouped = defaultdict(list)
    for update in updates:
        grouped[update.number].append(update)
    # A stable sort: updates in the same minute keep their order in the file.
    return {
        number: sorted(rows, key=lambda u: u.updated_ms)
        for number, rows in grouped.items()
    }


def _closed_ms(updates):
    for update in updates:
        if update.state == CLOSED_STATE:
            return update.updated_ms
    return None


def state_intervals(updates):
    """Return (state, start, end) for each update.

    Each update's state holds from its time until the next update; the first
    one also covers the time since the incident was opened; the last one
    lasts no time, the log ending there. The incident's time ends at its
    first Closed update: updates after it (a late edit of a closed
    incident) take no time.
    """
    opened = min(updates[0].opened_ms, updates[0].updated_ms)
    closed = _closed_ms(updates)
    stop = math.inf if closed is None else max(closed, opened)
    intervals = []
    for index, update in enumerate(updates):
        start = opened if index == 0 else update.updated_ms
        end = (
            updates[index + 1].updated_ms
            if index + 1 < len(updates)
            else update.updated_ms
        )
        start = min(start, stop)
        intervals.append((update.state, start, min(max(start, end), stop)))
    return intervals


def team_handoffs(updates):
    """Return each change of assignment group with its wait.

    The wait runs from the update that moved the incident to the next update
    at a later minute: updates in the same minute belong to the move itself.
    """
    moves = []
    current = ""
    for index, update in enumerate(updates):
        group = update.assignment_group
        if not group or group == current:
            continue
        if current:
            later = [
                u.updated_ms
                for u in updates[index + 1 :]
                if u.updated_ms > update.updated_ms
            ]
            wait = later[0] - update.updated_ms if later else None
            moves.append(
                {
                    "from": current,
                    "to": group,
                    "at_ms": update.updated_ms,
                    "wait_ms": wait,
                }
            )
        current = group
    return moves


def _resolved_ms(updates):
    for update in reversed(updates):
        if update.resolved_ms is not None:
            return update.resolved_ms
    for update in updates:
        if update.state in DONE_STATES:
            return update.updated_ms
    return None


def incident_measures(updates):
    """Return resolution time, time per state, handoffs and SLA of one incident."""
    last = updates[-1]
    opened = updates[0].opened_ms
    resolved = _resolved_ms(updates)
    time_in_state = defaultdict(int)
    for state, start, end in state_intervals(updates):
        time_in_state[state] += end - start
    return {
        "number": last.number,
        "opened_ms": opened,
        "resolved_ms": resolved,
        "closed_ms": last.closed_ms,
        "resolution_ms": None if resolved is None else max(0, resolved - opened),
        "time_in_state": dict(sorted(time_in_state.items())),
        "handoffs": team_handoffs(updates),
        "made_sla": last.made_sla,
        "state": last.state,
        "last_update_ms": last.updated_ms,
    }


def _state_activity(state, start, end):
    return Activity(
        key="state:" + state.casefold().replace(" ", "_"),
        label=state,
        phase=STATE_PHASES.get(
            state, "investigate" if state != CLOSED_STATE else "close"
        ),
        start_ms=start,
        end_ms=end,
        system="ITSM",
        system_kind="itsm",
        kind="wait" if state.startswith("Awaiting") else "action",
    )


def _decision(field, value, topic, moment, phase):
    return Activity(
        key="decision:" + field.casefold().replace(" ", "_"),
        label=f"{field}: {value}",
        phase=phase,
        start_ms=moment,
        end_ms=moment,
        system="ITSM",
        system_kind="itsm",
        kind="decision",
        decision=Decision(field=field, value=value, topic=topic),
    )


def incident_trace(updates):
    """Return the ``Trace`` of one incident: its states, team and priority choices."""
    activities = []
    group, priority = "", ""
    intervals = state_intervals(updates)
    for update, (state, start, end) in zip(updates, intervals, strict=True):
        state_activity = _state_activity(state, start, end)
        # The first update's choices stand from the start of its state, so
        # that they come first whether steps are ordered by start or by end.
        moment = start if update is updates[0] else update.updated_ms
        if update.assignment_group and update.assignment_group != group:
            group = update.assignment_group
            activities.append(
                _decision(
                    "Assignment group", group, "team", moment, state_activity.phase
                )
            )
        if update.priority and update.priority != priority:
            priority = update.priority
            activities.append(
                _decision(
                    "Priority", priority, "severity", moment, state_activity.phase
                )
            )
        activities.append(state_activity)

    last = updates[-1]
    attributes = {**last.fields, "priority": last.priority, "logged_ms": last.opened_ms}
    resolved = _resolved_ms(updates)
    if resolved is None:
        # Still open: it has no resolution time, only the time so far.
        attributes[OPEN] = True
    else:
        attributes["resolved_ms"] = resolved
    return Trace(
        run_id=last.number,
        # No group at the last update: the report names it "Unknown group".
        agent=last.assignment_group,
        activities=tuple(activities),
        title=last.number,
        attributes=attributes,
    )


def match_key(value):
    """Return ``value`` as facts are compared: case and surrounding space aside."""
    return (value or "").strip().casefold()


def _match_keys(row):
    return {name: match_key(row.get(name)) for name in SIMILARITY_WEIGHTS}


def _score(keys, candidate):
    matched = [
        name
        for name, key in keys.items()
        if key and key == match_key(candidate.get(name))
    ]
    return sum(SIMILARITY_WEIGHTS[name] for name in matched), matched


def similarity(target, candidate):
    """Return the score of ``candidate`` for ``target`` and the fields that matched.

    A field matches when both hold it alike but for case and surrounding space.
    """
    return _score(_match_keys(target), candidate)


def similar_incidents(target, candidates, *, limit=SUGGEST_LIMIT):
    """Return the past incidents closest to ``target``, best first.

    ``target`` and each candidate are mappings with the fields of
    ``SIMILARITY_WEIGHTS`` and a ``number``; a candidate scores the weights
    of the fields it shares with the target. Equal scores go by number.
    ``limit=None`` returns every candidate that shares a field.
    """
    keys = _match_keys(target)
    scored = []
    for candidate in candidates:
        if candidate["number"] == target.get("number"):
            continue
        score, matched = _score(keys, candidate)
        if score:
            scored.append({"score": score, "matched": matched, **candidate})
    scored.sort(key=lambda row: (-row["score"], row["number"]))
    return scored if limit is None else scored[:limit]


def outcome(candidate, *, median_ms):
    """Return why ``candidate`` ended badly, or None when it ended well.

    Well is resolved, the SLA not missed (an unknown SLA is no miss) and in
    at most ``SLOW_FACTOR`` times ``median_ms``, the organization's median
    resolution time; without a median above zero, no time is slow.
    """
    resolution = candidate.get("resolution_ms")
    if resolution is None:
        return "unresolved"
    if candidate.get("made_sla") is False:
        return "missed_sla"
    if median_ms and resolution > SLOW_FACTOR * median_ms:
        return "slow"
    return None


def resolution_evidence(rows):
    """Return how many ``rows`` there are and how they were resolved."""
    judged = [row["made_sla"] for row in rows if row.get("made_sla") is not None]
    return {
        "count": len(rows),
        "median_resolution_ms": median(
            row["resolution_ms"] for row in rows if row.get("resolution_ms") is not None
        ),
        "made_sla": sum(judged),
        "judged": len(judged),
    }


def _weighted_choice(voters, considered, field):
    """Return the value of ``field`` the voters back most, with its evidence.

    ``clear`` says whether that value has more than half the voters'
    similarity scores; short of it there is no clear choice, and
    ``leading`` names the values voters went to most often instead.
    ``closer`` says that its backers are not more than half the voters,
    and so win by matching more closely. The evidence covers every
    considered incident with that value, the ones left out for how they
    ended too: how such incidents went.
    """
    backers = defaultdict(list)
    for row in voters:
        if row.get(field):
            backers[row[field]].append(row)
    weights = {
        value: sum(row["score"] for row in rows) for value, rows in backers.items()
    }
    # One incident is an anecdote: a value needs ``MIN_BACKING`` of them.
    eligible = [value for value, rows in backers.items() if len(rows) >= MIN_BACKING]
    if not eligible:
        return None

    value = min(eligible, key=lambda value: (-weights[value], value))
    chosen, of = backers[value], sum(weights.values())
    return {
        "value": value,
        "weight": weights[value],
        "of": of,
        "clear": 2 * weights[value] > of,
        "closer": 2 * len(chosen) <= len(voters),
        "backers": len(chosen),
        "numbers": [row["number"] for row in chosen[:NUMBERS_SHOWN]],
        "more": max(0, len(chosen) - NUMBERS_SHOWN),
        "leading": _most_often(backers, weights)[:LEADING_SHOWN],
        "others": max(0, len(backers) - LEADING_SHOWN),
        "similar": resolution_evidence(
            [row for row in considered if row.get(field) == value]
        ),
    }


def _most_often(backers, weights):
    """Return each value with its number of backers, the most backed first.

    Equal numbers go by the higher score, then by name.
    """
    ranked = sorted(
        backers,
        key=lambda value: (
            -len(backers[value]),
            -weights[value],
            natural_key(value),
            value,
        ),
    )
    return [{"value": value, "backers": len(backers[value])} for value in ranked]


def _voters(ranked, median_ms, limit):
    """Return the ranked rows that ended well and vote, and those passed over.

    The ``limit`` best that ended well vote, with every other one that ended
    well as similar as the last of them: a tie at the cut is no reason to
    prefer one incident to another. Passed over are the rows that ended badly
    as similar as the last voter or more, or all of them when fewer than
    ``limit`` ended well.
    """
    judged = [{**row, "left_out": outcome(row, median_ms=median_ms)} for row in ranked]
    good = [row for row in judged if row["left_out"] is None]
    cut = good[limit - 1]["score"] if len(good) >= limit else 0
    return (
        [row for row in good if row["score"] >= cut],
        [row for row in judged if row["left_out"] and row["score"] >= cut],
    )


def _unmatched(target, candidates):
    known = defaultdict(set)
    for candidate in candidates:
        for name, key in _match_keys(candidate).items():
            known[name].add(key)
    return [
        name
        for name, key in _match_keys(target).items()
        if key and key not in known[name]
    ]


def suggest(target, candidates, *, limit=SUGGEST_LIMIT):
    """Return a suggested priority and assignment group, with their evidence.

    Of the past incidents most similar to ``target``, the ``limit`` best that
    ended well (``outcome``) vote: each for its own priority and final group,
    with its similarity score; the heaviest value backed by ``MIN_BACKING``
    of them leads, and is a clear choice with more than half the score.
    With fewer than ``MIN_EVIDENCE`` voters nothing is suggested. Candidates
    carry ``resolution_ms`` and ``made_sla`` besides the fields of
    ``similar_incidents``.
    """
    candidates = list(candidates)
    median_ms = median(
        c["resolution_ms"] for c in candidates if c.get("resolution_ms") is not None
    )
    voters, passed_over = _voters(
        similar_incidents(target, candidates, limit=None), median_ms, limit
    )
    enough = len(voters) >= MIN_EVIDENCE
    considered = sorted(
        voters + passed_over, key=lambda row: (-row["score"], row["number"])
    )
    choices = {
        field: _weighted_choice(voters, considered, field) if enough else None
        for field in ("priority", "assignment_group")
    }
    return {
        **choices,
        "enough": enough,
        "min_evidence": MIN_EVIDENCE,
        "voters": len(voters),
        "considered": len(considered),
        "similar": considered[:SIMILAR_SHOWN],
        "not_shown": max(0, len(considered) - SIMILAR_SHOWN),
        "left_out": dict(
            sorted(Counter(row["left_out"] for row in passed_over).items())
        ),
        "median_resolution_ms": median_ms,
        "slow_factor": SLOW_FACTOR,
        "slow_ms": None if not median_ms else SLOW_FACTOR * median_ms,
        "unmatched": _unmatched(target, candidates),
    }


def natural_key(text):
    """Return the key that sorts "Category 9" before "Category 45".

    Digits compare as numbers, letters without regard to case.
    """
    parts = re.split(r"([0-9]+)", text.casefold())
    return [int(part) if index % 2 else part for index, part in enumerate(parts)]


def _ranked_values(spellings):
    values = []
    for forms in spellings.values():
        spelling = min(forms, key=lambda form: (-forms[form], form))
        values.append({"value": spelling, "count": forms.total()})
    values.sort(key=lambda v: (-v["count"], natural_key(v["value"]), v["value"]))
    return values


def known_values(rows, names):
    """Return, per field in ``names``, the values ``rows`` hold, most frequent first.

    Each is a mapping of ``value`` and ``count``. Values alike but for case
    and surrounding space are one, spelt as most rows spell it; equal counts
    go by name.
    """
    counts = {name: defaultdict(Counter) for name in names}
    for row in rows:
        for name in names:
            value = (row.get(name) or "").strip()
            if value:
                counts[name][value.casefold()][value] += 1
    return {name: _ranked_values(spellings) for name, spellings in counts.items()}


def update_gap_median(update_times):
    """Return the median time between consecutive updates over all incidents."""
    gaps = []
    for times in update_times:
        ordered = sorted(times)
        gaps += [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    return median(gaps)


def stalled_incidents(open_incidents, *, typical_gap_ms, now_ms, factor=STALL_FACTOR):
    """Return the open incidents without an update for ``factor`` typical gaps.

    ``open_incidents`` holds mappings with ``number`` and ``last_update_ms``;
    the typical gap is the organization's own median gap between updates
    (``update_gap_median``).
    """
    if not typical_gap_ms:
        return {"threshold_ms": None, "incidents": []}
    threshold = factor * typical_gap_ms
    stalled = [
        {**row, "silent_ms": now_ms - row["last_update_ms"]}
        for row in open_incidents
        if now_ms - row["last_update_ms"] >= threshold
    ]
    stalled.sort(key=lambda row: (-row["silent_ms"], row["number"]))
    return {"threshold_ms": threshold, "incidents": stalled}
