"""Measures over one run: where its resolution time went.

Pure: reads ``Trace`` values only, no Django, no clock. Every figure is in
milliseconds. ``docs/report.md`` says in words how each one is computed.
"""

import operator
from collections import defaultdict

from .trace import PHASES, Activity, Trace

# A gap between two activities, or a wait step, at least this long is an idle
# wait; the same bar says which waits a stalled-incident alert would catch, so
# the report never lists a wait and then says no alert would have seen it.
IDLE_THRESHOLD_MS = 2 * 60 * 1000
LONGEST_STEPS = 5
OWNERSHIP_TOPICS = ("team", "owner")
# Trace attribute naming who held the ticket before its first team or owner
# choice; with it, that first choice is a move too.
FIRST_HOLDER = "first_holder"
# Verbs of steps that visit, save or switch rather than do work: coming back
# to them is moving around, not rework.
REVISIT_VERBS = frozenset({"open", "switch", "submit", "wait"})
# After a hand-off, opening or switching back to a page of the system it was
# made in is coming back to the ticket, and a recorded wait is no one acting:
# neither is work resuming. A save of the hand-off's own form within this
# window commits the move; the idle threshold keeps one bar for waits.
NAVIGATION_VERBS = frozenset({"open", "switch"})
HANDOFF_SAVE_WINDOW_MS = IDLE_THRESHOLD_MS
REWORK_KINDS = ("action", "decision")
SUGGESTIBLE_TOPICS = ("severity", "category", "team", "owner")
RESOLUTION_PHASES = ("log", "triage", "investigate", "resolve")
# A state choice to one of these values resolves the incident: what follows
# it is close-out, not resolution time.
RESOLVED_VALUES = frozenset({"resolved"})
# Trace attribute of an incident that is still open: it has no resolution
# time yet, only the time so far.
OPEN = "open"


def median(values):
    """Return the median of ``values`` (an int where it is whole), or None."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    total = ordered[middle - 1] + ordered[middle]
    return total // 2 if total % 2 == 0 else total / 2


def ordered_activities(trace: Trace) -> list[Activity]:
    """Return the activities by start, then end, then recorded order."""
    # Python's sort is stable, so equal times keep the recorded order, and it
    # makes one pass over a run that is in order already.
    return sorted(trace.activities, key=_START_END)


_START_END = operator.attrgetter("start_ms", "end_ms")


def timeline_bounds(trace: Trace, activities):
    """Return (logged, resolved, finished) in ms for a non-empty run.

    ``resolved`` is None for a run still open.
    """
    attributes = trace.attributes or {}
    logged = attributes.get("logged_ms", activities[0].start_ms)
    known = attributes.get("resolved_ms")
    finished = max(max(a.end_ms for a in activities), logged, known or logged)
    if attributes.get(OPEN):
        return logged, None, finished
    resolved = known if known is not None else resolved_moment(activities, finished)
    return logged, min(max(resolved, logged), finished), finished


def _resolves(activity):
    decision = activity.decision
    return (
        decision is not None
        and decision.topic == "state"
        and decision.value.casefold() in RESOLVED_VALUES
    )


def resolved_moment(activities, finished):
    """Return when a run was resolved: its last state choice to Resolved.

    Without one, the run was resolved when its close phase began, or, with no
    close phase either, when its last step ended.
    """
    resolving = [a.end_ms for a in activities if _resolves(a)]
    if resolving:
        return resolving[-1]
    closing = [a.start_ms for a in activities if a.phase == "close"]
    return closing[0] if closing else finished


def owned_segments(activities, logged, finished):
    """Yield (phase, start, end): each activity owns the time until the next.

    The segments tile ``[logged, finished]`` with no gap and no overlap, so
    any split of them sums exactly to the whole.
    """
    first_start = activities[0].start_ms
    if first_start > logged:
        yield "log", logged, first_start
    for index, activity in enumerate(activities):
        if index + 1 < len(activities):
            end = activities[index + 1].start_ms
        else:
            end = finished
        start = max(activity.start_ms, logged)
        yield activity.phase, start, max(start, min(end, finished))


def phase_split(trace: Trace):
    """Return the resolution time and its split by phase, and the close time.

    A run still open has no resolution time: its split is the time so far.
    """
    activities = ordered_activities(trace)
    if not activities:
        empty = dict.fromkeys(RESOLUTION_PHASES, 0)
        return {"resolution_ms": 0, "split": empty, "close_ms": 0}
    logged, resolved, finished = timeline_bounds(trace, activities)
    cut = finished if resolved is None else resolved

    split = dict.fromkeys(RESOLUTION_PHASES, 0)
    close_ms = 0
    for phase, start, end in owned_segments(activities, logged, finished):
        before = max(0, min(end, cut) - start)
        # Close-phase work done before the incident counts as resolved is
        # still part of the fix.
        split["resolve" if phase == "close" else phase] += before
        close_ms += (end - start) - before
    return {
        "logged_ms": logged,
        "resolved_ms": resolved,
        "finished_ms": finished,
        "resolution_ms": None if resolved is None else resolved - logged,
        "split": split,
        "close_ms": close_ms,
    }


def step_times(activities):
    return [
        {
            "index": index,
            "key": a.key,
            "label": a.label,
            "phase": a.phase,
            "system": a.system,
            "kind": a.kind,
            "start_ms": a.start_ms,
            "end_ms": a.end_ms,
            "duration_ms": a.duration_ms,
        }
        for index, a in enumerate(activities)
    ]


def system_times(activities):
    """Return the time spent in each system, the longest first.

    A wait is no one acting: its time is waiting (``waiting_time``), not time
    in the system the agent happened to have open.
    """
    totals = defaultdict(lambda: {"duration_ms": 0, "steps": 0, "kind": "other"})
    for activity in activities:
        if activity.kind == "wait":
            continue
        entry = totals[activity.system or "unknown"]
        entry["duration_ms"] += activity.duration_ms
        entry["steps"] += 1
        entry["kind"] = activity.system_kind
    rows = [{"system": name, **entry} for name, entry in totals.items()]
    return sorted(rows, key=lambda row: (-row["duration_ms"], row["system"]))


def longest_steps(steps, limit=LONGEST_STEPS):
    ranked = sorted(steps, key=lambda step: (-step["duration_ms"], step["index"]))
    return ranked[:limit]


def idle_waits(activities, threshold_ms=IDLE_THRESHOLD_MS):
    """Return the gaps between activities and the wait steps past a threshold."""
    waits = []
    busy_until = None
    previous = None
    for activity in activities:
        if busy_until is not None and activity.start_ms - busy_until >= threshold_ms:
            waits.append(
                {
                    "kind": "gap",
                    "after": previous.key,
                    "before": activity.key,
                    "after_label": previous.label,
                    "before_label": activity.label,
                    "start_ms": busy_until,
                    "duration_ms": activity.start_ms - busy_until,
                }
            )
        if activity.kind == "wait" and activity.duration_ms >= threshold_ms:
            waits.append(
                {
                    "kind": "wait",
                    "after": activity.key,
                    "before": activity.key,
                    "after_label": activity.label,
                    "before_label": activity.label,
                    "start_ms": activity.start_ms,
                    "duration_ms": activity.duration_ms,
                }
            )
        if busy_until is None or activity.end_ms > busy_until:
            busy_until = activity.end_ms
        previous = activity
    return waits


def waiting_time(activities, idle):
    """Return how long no one acted: every wait step and every idle gap.

    ``idle`` is ``idle_waits`` of ``activities``, hand-off waits included:
    waiting for the next team is waiting too.
    """
    waits = sum(a.duration_ms for a in activities if a.kind == "wait")
    return waits + sum(gap["duration_ms"] for gap in idle if gap["kind"] == "gap")


def investigation_lookups(activities):
    lookups = [a for a in activities if a.kind == "lookup" and a.phase == "investigate"]
    by_system = defaultdict(int)
    for activity in lookups:
        by_system[activity.system or "unknown"] += 1
    return {
        "count": len(lookups),
        "duration_ms": sum(a.duration_ms for a in lookups),
        "by_system": dict(sorted(by_system.items())),
        "steps": [a.key for a in lookups],
    }


def _handoff_form_end(activities, index):
    """Return the index of the save that commits the move at ``index``.

    The agent who hands a ticket on usually saves the form right after:
    that save, and what was done on the same form before it, belong to the
    move. Without such a save the move itself is the last step of the hand-off.
    """
    move = activities[index]
    for position in range(index + 1, len(activities)):
        later = activities[position]
        if later.system != move.system:
            break
        if later.start_ms - move.end_ms > HANDOFF_SAVE_WINDOW_MS:
            break
        if _verb(later.key) == "submit":
            return position
    return index


def _resumes_work(move, later):
    """Return whether ``later`` is the ticket being worked on after ``move``."""
    if later.start_ms <= move.start_ms:
        return False
    # Choosing the group and then the owner is one move; the next choice on
    # the same field is the new holder acting.
    if _is_ownership(later) and later.decision.field != move.decision.field:
        return False
    verb = _verb(later.key)
    if verb == "wait":
        return False
    returning = verb in NAVIGATION_VERBS and later.kind == "action"
    return not (returning and later.system == move.system)


def _next_work_after(activities, index, handed):
    """Return when work on the ticket resumed after the move at ``index``.

    ``handed`` is the index of the step that completed the hand-off: the
    save that committed the move, or the move itself.
    """
    move = activities[index]
    for later in activities[handed + 1 :]:
        if _resumes_work(move, later):
            return later.start_ms
    return None


def _handoff_wait(activities, index):
    """Return when the move at ``index`` was handed on, and its wait, in ms.

    The hand-off ends with the save that commits the move, or with the move
    itself; its wait runs from then until work resumes (None if it never
    did). With only a recorded wait between the two, the hand-off's wait is
    that wait step's time, as the SOP shows it.
    """
    handed = _handoff_form_end(activities, index)
    handed_ms = activities[handed].end_ms
    resumed = _next_work_after(activities, index, handed)
    return handed_ms, None if resumed is None else max(0, resumed - handed_ms)


def _is_ownership(activity):
    decision = activity.decision
    return decision is not None and decision.topic in OWNERSHIP_TOPICS


def _ownership_moves(activities, first_holder):
    """Yield (index, field, from, to) for each team or owner choice that moves."""
    current = {}
    for index, activity in enumerate(activities):
        if not _is_ownership(activity):
            continue
        decision = activity.decision
        previous = current.get(decision.field, first_holder or None)
        current[decision.field] = decision.value
        if previous is not None and previous != decision.value:
            yield index, decision.field, previous, decision.value


def _made_together(activities, group, index):
    """Return whether the move at ``index`` belongs with the moves in ``group``.

    A team and an owner chosen on the same form before the same save, within
    the save window, are one hand-off to "team (owner)".
    """
    last, field = group[-1][0], activities[index].decision.field
    if any(activities[i].decision.field == field for i, *_rest in group):
        return False
    later, before = activities[index], activities[last]
    if later.system != before.system:
        return False
    if later.start_ms - before.end_ms > HANDOFF_SAVE_WINDOW_MS:
        return False
    return all(_verb(a.key) != "submit" for a in activities[last + 1 : index])


def _grouped_moves(activities, first_holder):
    groups = []
    for move in _ownership_moves(activities, first_holder):
        if groups and _made_together(activities, groups[-1], move[0]):
            groups[-1].append(move)
        else:
            groups.append([move])
    return groups


def _joined(values):
    """Return "team (owner)" from the values of one hand-off, team first."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        return distinct[0]
    return f"{distinct[0]} ({', '.join(distinct[1:])})"


def handoffs(activities, first_holder=""):
    """Return each ownership move with how long until work on it went on.

    A move is a team or owner choice whose value differs from the previous
    choice of the same field. The first choice is a move from
    ``first_holder`` when one is known (a recorded run starts with the agent
    holding the ticket), else an assignment only. A team and an owner chosen
    together are one move to "team (owner)", waited for once.
    """
    moves = []
    for group in _grouped_moves(activities, first_holder):
        # The team reads first: "Network (Dana Wright)".
        parts = sorted(
            group, key=lambda move: activities[move[0]].decision.topic != "team"
        )
        first = activities[parts[0][0]]
        handed_ms, wait = _handoff_wait(activities, max(move[0] for move in group))
        moves.append(
            {
                "key": first.key,
                "field": first.decision.field,
                "topic": first.decision.topic,
                "fields": [
                    {"field": field, "from": source, "to": target}
                    for _index, field, source, target in parts
                ],
                "from": _joined(source for _i, _f, source, _t in parts),
                "to": _joined(target for _i, _f, _s, target in parts),
                "at_ms": handed_ms,
                "wait_ms": wait,
            }
        )
    return moves


def within_handoff_wait(start_ms, end_ms, moves):
    """Return whether ``[start_ms, end_ms]`` lies inside a move's wait."""
    return any(
        move["wait_ms"] is not None
        and move["at_ms"] <= start_ms
        and end_ms <= move["at_ms"] + move["wait_ms"]
        for move in moves
    )


def not_handoff_waits(waits, moves):
    """Return the idle waits that are not a hand-off's wait for the next team.

    The time between a move and work resuming is the hand-off's wait; listing
    it as an idle wait too would count the same minutes twice.
    """
    return [
        wait
        for wait in waits
        if not within_handoff_wait(
            wait["start_ms"], wait["start_ms"] + wait["duration_ms"], moves
        )
    ]


def returns(moves):
    """Yield (field, from, to) for each move back to an earlier holder."""
    holders = defaultdict(list)
    for move in moves:
        for part in move["fields"]:
            seen = holders[part["field"]]
            if not seen:
                seen.append(part["from"])
            if part["to"] in seen:
                yield part["field"], part["from"], part["to"]
            seen.append(part["to"])


def ping_pong(moves):
    """Return the fields whose ownership came back to an earlier holder."""
    return list(dict.fromkeys(field for field, _from, _to in returns(moves)))


def documentation_gaps(activities):
    """Return the triage choices made without a recorded rule, and the steps
    only named in a note.

    A choice of any other field (a channel, a state, a tickbox) is a step to
    do, not a decision the procedure owes a rule for.
    """
    gaps = []
    for activity in activities:
        decision = activity.decision
        if _is_triage_choice(activity) and not decision.rule:
            gaps.append(
                {
                    "type": "decision_without_rule",
                    "key": activity.key,
                    "label": activity.label,
                    "field": decision.field,
                    "value": decision.value,
                }
            )
        elif activity.kind == "note":
            gaps.append(
                {"type": "note_only_step", "key": activity.key, "label": activity.label}
            )
    return gaps


def _is_triage_choice(activity):
    decision = activity.decision
    return decision is not None and decision.topic in SUGGESTIBLE_TOPICS


def _verb(key):
    parts = key.split(":")
    return parts[1] if len(parts) >= 3 else ""


def _is_work(activity):
    """Return whether doing ``activity`` twice would be doing work twice."""
    if activity.kind not in REWORK_KINDS or _is_ownership(activity):
        return False
    return _verb(activity.key) not in REVISIT_VERBS


def _action_of(activity):
    decision = activity.decision
    return (activity.key, decision.value if decision is not None else None)


def repeated_steps(activities):
    """Return the keys of work done again after other work: rework.

    The same action is the same key and, for a choice, the same value: moving
    a state on (New, In Progress, Resolved) is progress, while setting a
    value, changing it and setting it back is redoing it. Visiting, saving,
    switching, notes and waits are not work that can be redone; a second
    ownership choice is a handoff, measured as such. A step without a verb
    (an imported incident's update) is rework only when it goes back to an
    earlier phase than one already reached: reopened after Resolved.
    """
    seen, repeated = set(), []
    previous = None
    reached = 0
    for activity in activities:
        action = _action_of(activity)
        if _is_work(activity):
            key = activity.key
            if _verb(key):
                again = action in seen and previous != action
            else:
                again = _phase_rank(activity) < reached
            if again and key not in repeated:
                repeated.append(key)
            seen.add(action)
        reached = max(reached, _phase_rank(activity))
        previous = action
    return repeated


def _phase_rank(activity):
    return PHASES.index(activity.phase) if activity.phase in PHASES else 0


def openings(activities, waits, moves, threshold_ms=IDLE_THRESHOLD_MS):
    """Return what a suggestion, a similar-incident search or an alert could do."""
    suggest = [
        {"key": a.key, "field": a.decision.field, "value": a.decision.value}
        for a in activities
        if a.decision is not None
        and a.phase in ("log", "triage")
        and a.decision.topic in SUGGESTIBLE_TOPICS
    ]
    shortcut = [
        {"key": a.key, "system": a.system, "duration_ms": a.duration_ms}
        for a in activities
        if a.kind == "lookup" and a.phase == "investigate"
    ]
    # ``waits`` are already those past the idle threshold: each one is an
    # alert, so the count never disagrees with the list of idle waits.
    alerts = [
        {"kind": wait["kind"], "key": wait["before"], "wait_ms": wait["duration_ms"]}
        for wait in waits
    ]
    alerts += [
        {"kind": "handoff", "key": move["key"], "wait_ms": move["wait_ms"]}
        for move in moves
        if move["wait_ms"] is not None and move["wait_ms"] >= threshold_ms
    ]
    return {
        "suggest_triage": suggest,
        "shortcut_lookups": shortcut,
        "stall_alerts": alerts,
    }


def run_measures(trace: Trace, *, idle_threshold_ms=IDLE_THRESHOLD_MS):
    """Return every one-run figure of ``trace`` as plain data."""
    activities = ordered_activities(trace)
    steps = step_times(activities)
    moves = handoffs(activities, (trace.attributes or {}).get(FIRST_HOLDER, ""))
    idle = idle_waits(activities, idle_threshold_ms)
    waits = not_handoff_waits(idle, moves)
    return {
        "run_id": trace.run_id,
        "agent": trace.agent,
        "title": trace.title,
        "timing": phase_split(trace),
        "steps": steps,
        "systems": system_times(activities),
        "waiting_ms": waiting_time(activities, idle),
        "longest_steps": longest_steps(steps),
        "idle_waits": waits,
        "lookups": investigation_lookups(activities),
        "handoffs": moves,
        "ping_pong": ping_pong(moves),
        "rework": repeated_steps(activities),
        "documentation_gaps": documentation_gaps(activities),
        "documentable": sum(
            1 for a in activities if _is_triage_choice(a) or a.kind == "note"
        ),
        "openings": openings(activities, waits, moves, idle_threshold_ms),
    }
