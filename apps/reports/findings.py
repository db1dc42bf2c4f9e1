"""The health score and the typed findings over many runs.

Pure. Findings carry codes and figures only; ``texts`` words them.
"""

from collections import Counter, defaultdict

from .aggregate import (
    BOTTLENECK_RUNS,
    BOTTLENECK_SHARE,
    HEALTH_WEIGHTS,
    VARIANCE_DISTANCE,
)
from .measures import median, returns, within_handoff_wait
from .trace import shared_label

FINDING_TYPES = (
    "bottleneck",
    "rework",
    "handoff_ping_pong",
    "variance",
    "missing_documentation",
)

# The gap of a choice made without a recorded rule.
RULE_GAP = "decision_without_rule"
# The step kind behind each documentation gap type, for its shared label.
_GAP_KINDS = {RULE_GAP: "decision", "note_only_step": "note"}


def _share(part, whole, *, empty=1.0):
    return min(1.0, max(0.0, part / whole)) if whole else empty


def _resolved(measured):
    """Return the runs that have a resolution time: open incidents have none."""
    return [run for run in measured if run["timing"]["resolution_ms"] is not None]


def _waited_ms(run):
    """Return the idle time of ``run`` that fell before it was resolved."""
    resolved = run["timing"].get("resolved_ms") or 0
    return sum(
        max(0, min(wait["start_ms"] + wait["duration_ms"], resolved) - wait["start_ms"])
        for wait in run["idle_waits"]
    )


# The parts of the health score that do not apply to a kind of report. An
# ITSM log records no rule behind any choice, so an imported history has no
# documentation to score.
NOT_APPLICABLE = {"imported": ("documentation",)}


def health(measured, distances, *, imported=False):
    """Return the 0-100 score, its parts and the parts left out.

    Each part is a value from 0 to 1. consistency: 1 minus the mean distance
    of the runs to the most common path. flow: 1 minus the share of
    resolution time spent in idle waits. handoffs: 1 / (1 + mean ownership
    moves per run). documentation: the
    share of decisions and note-only steps that have a recorded rule (note
    steps never do). rework: the share of runs without a repeated step.
    A part that does not apply to the kind of report is left out, and the
    score is scaled to 100 over the weights of the parts that apply.
    """
    left_out = NOT_APPLICABLE["imported"] if imported else ()
    values = {
        name: value
        for name, value in _health_values(measured, distances).items()
        if name not in left_out
    }
    parts = {
        name: {
            "value": round(value, 4),
            "weight": HEALTH_WEIGHTS[name],
            "points": round(value * HEALTH_WEIGHTS[name], 2),
        }
        for name, value in values.items()
    }
    points = sum(value * HEALTH_WEIGHTS[name] for name, value in values.items())
    weight = sum(HEALTH_WEIGHTS[name] for name in values)
    # 100 / 100 is exactly 1: with every part, the score is the points' sum.
    score = round(points * (100 / weight))
    return {"score": score, "parts": parts, "left_out": list(left_out)}


def _health_values(measured, distances):
    runs = len(measured)
    mean_distance = sum(row["distance"] for row in distances) / runs if runs else 0
    resolution = sum(run["timing"]["resolution_ms"] for run in _resolved(measured))
    waited = sum(_waited_ms(run) for run in _resolved(measured))
    moves = sum(len(run["handoffs"]) for run in measured)
    gaps = sum(len(run["documentation_gaps"]) for run in measured)
    documentable = sum(run["documentable"] for run in measured)
    clean = sum(1 for run in measured if not run["rework"])
    return {
        "consistency": 1 - mean_distance,
        "flow": 1 - _share(waited, resolution, empty=0.0),
        "handoffs": 1 / (1 + moves / runs) if runs else 1.0,
        "documentation": 1 - _share(gaps, documentable, empty=0.0),
        "rework": _share(clean, runs),
    }


def _handoff_of(step, moves):
    """Return the key of the move whose wait ``step`` is, or None.

    A wait step between a hand-off and work resuming is the next team's
    wait: it is a bottleneck of the hand-off, not of waiting in general.
    """
    if step["kind"] != "wait":
        return None
    for move in moves:
        if within_handoff_wait(step["start_ms"], step["end_ms"], [move]):
            return move["key"]
    return None


def before_resolution(step, resolved):
    """Return the part of ``step`` that fell before the run was resolved.

    ``resolved`` is None for a run still open: all of its time so far counts.
    """
    end = step["end_ms"] if resolved is None else min(step["end_ms"], resolved)
    return max(0, end - step["start_ms"])


def _step_totals(run, closing, *, imported):
    """Return the run's time per step key and per hand-off, before resolution.

    An imported incident's time is all in its states: a hand-off's wait is
    time in a state too, and stays that state's, as the page shows it.
    """
    totals, waited = defaultdict(int), defaultdict(int)
    resolved = run["timing"]["resolved_ms"]
    moves = () if imported else run["handoffs"]
    for step in run["steps"]:
        # Time after resolution is not what keeps the incident open.
        if step["phase"] == "close":
            closing.add(step["key"])
            continue
        if step["start_ms"] >= resolved:
            closing.add(step["key"])
            continue
        handoff = _handoff_of(step, moves)
        if handoff is None:
            totals[step["key"]] += before_resolution(step, resolved)
        else:
            waited[handoff] += before_resolution(step, resolved)
    return totals, waited


def _bottlenecks(measured, process_map, imported):
    """Return the steps and transitions that take a large share of resolution.

    A step's time per run is compared with the resolution time of the same
    runs, on the same clock (the time before each was resolved), so the part
    is never larger than the whole it is said to be part of.
    """
    measured = _resolved(measured)
    resolution = median([run["timing"]["resolution_ms"] for run in measured]) or 0
    if resolution <= 0:
        return []
    per_key, per_handoff, closing = defaultdict(list), defaultdict(list), set()
    for run in measured:
        totals, waited = _step_totals(run, closing, imported=imported)
        whole = run["timing"]["resolution_ms"]
        for key, total in totals.items():
            per_key[key].append((total, whole))
        for key, total in waited.items():
            per_handoff[key].append((total, whole))

    # A step or transition seen in only a few runs is an outlier, not a
    # bottleneck of the process.
    often = BOTTLENECK_RUNS * len(measured)
    found = []
    for handoff, values_by_key in ((False, per_key), (True, per_handoff)):
        for key, pairs in values_by_key.items():
            typical = median([part for part, _whole in pairs])
            of_runs = median([whole for _part, whole in pairs])
            if len(pairs) >= often and typical >= BOTTLENECK_SHARE * of_runs > 0:
                # ``runs`` of ``of``: the median is over the runs that have
                # the step, and so is the resolution time it is set against.
                params = {"median_ms": typical, "runs": len(pairs), "of": len(measured)}
                if handoff:
                    params["handoff"] = True
                found.append((typical, [key], {**params, "resolution_ms": of_runs}))
    for edge in process_map["edges"]:
        if edge["target"] in closing or edge["count"] < often:
            continue
        # The time between two steps that neither step accounts for; the
        # steps' own time is measured per step above.
        gap = edge["median_gap_ms"]
        if gap >= BOTTLENECK_SHARE * resolution:
            # An edge counts transitions, not runs; its resolution time is
            # that of every resolved run.
            params = {
                "median_ms": gap,
                "transitions": edge["count"],
                "of": len(measured),
            }
            found.append(
                (
                    gap,
                    [edge["source"], edge["target"]],
                    {**params, "resolution_ms": resolution},
                )
            )
    found.sort(key=lambda item: (-item[0], item[1]))
    return [_finding("bottleneck", steps, [], params) for _t, steps, params in found]


def _finding(kind, steps, runs, params):
    return {"type": kind, "steps": steps, "runs": runs, "params": params}


def _by_key(measured, pick):
    """Return {key: run ids} for the keys ``pick`` finds in each run."""
    runs_by_key = defaultdict(dict)
    for run in measured:
        for key in pick(run):
            runs_by_key[key][run["run_id"]] = True
    return {key: list(runs) for key, runs in runs_by_key.items()}


def _rework(measured):
    runs_by_key = _by_key(measured, lambda run: run["rework"])
    return [
        _finding("rework", [key], runs, {"runs": len(runs)})
        for key, runs in sorted(runs_by_key.items())
    ]


def _ping_pong(measured, imported):
    if imported:
        return _bounced_between_groups(measured)
    runs_by_key = _by_key(
        measured,
        lambda run: sorted(
            {m["key"] for m in run["handoffs"] if m["field"] in run["ping_pong"]}
        ),
    )
    return [
        _finding("handoff_ping_pong", [key], runs, {"runs": len(runs)})
        for key, runs in sorted(runs_by_key.items())
    ]


def _bounces(run):
    """Return {(group, group): times} of the holders ``run`` went back between.

    A bounce is a move back to an earlier holder; the pair is the one it
    left and the one it came back to, in name order, whichever way it went.
    """
    return Counter(
        tuple(sorted((source, target)))
        for _field, source, target in returns(run["handoffs"])
    )


def _median_resolution(runs):
    return median([run["timing"]["resolution_ms"] for run in _resolved(runs)])


def _bounced_between_groups(measured):
    """Return one finding per pair of groups incidents went back and forth between.

    Each says in how many incidents and how many times, and how long those
    incidents took to resolve against the incidents never sent back.
    """
    bounced, times = defaultdict(list), Counter()
    for run in measured:
        for pair, count in _bounces(run).items():
            bounced[pair].append(run)
            times[pair] += count
    rest = [run for run in _resolved(measured) if not run["ping_pong"]]
    found = []
    for pair, runs in sorted(bounced.items()):
        params = {
            "groups": list(pair),
            "runs": len(runs),
            "times": times[pair],
            "median_resolution_ms": _median_resolution(runs),
            "rest_runs": len(rest),
            "rest_median_resolution_ms": _median_resolution(rest),
        }
        run_ids = [run["run_id"] for run in runs]
        found.append(_finding("handoff_ping_pong", [], run_ids, params))
    return found


def _variance(measured, distances, variant_rows):
    if len(measured) < 2:
        return []
    mean_distance = sum(row["distance"] for row in distances) / len(distances)
    if mean_distance < VARIANCE_DISTANCE:
        return []
    presence = defaultdict(set)
    for run in measured:
        for step in run["steps"]:
            presence[step["key"]].add(run["run_id"])
    differing = sorted(k for k, runs in presence.items() if len(runs) < len(measured))
    far = sorted(
        row["run_id"] for row in distances if row["distance"] >= VARIANCE_DISTANCE
    )
    params = {"variants": len(variant_rows), "mean_distance": round(mean_distance, 4)}
    return [_finding("variance", differing, far, params)]


def documentation_gaps(run, *, imported):
    """Return the gaps of ``run`` that a missing SOP text explains.

    An ITSM log records no rule behind any choice: on an imported history a
    choice without one is how the data is, not a gap in the documentation.
    """
    if not imported:
        return run["documentation_gaps"]
    return [gap for gap in run["documentation_gaps"] if gap["type"] != RULE_GAP]


def _missing_documentation(measured, imported):
    """Return one finding over every undocumented step, not one per step.

    The same advice repeated per step says nothing more; the steps are split
    into choices without a rule and steps only named in a note.
    """
    gaps = {
        run["run_id"]: documentation_gaps(run, imported=imported) for run in measured
    }
    runs_by_key = _by_key(
        measured, lambda run: [gap["key"] for gap in gaps[run["run_id"]]]
    )
    if not runs_by_key:
        return []
    kinds, labels = {}, defaultdict(dict)
    for run in measured:
        for gap in gaps[run["run_id"]]:
            kinds.setdefault(gap["key"], gap["type"])
            # Name the step by its undocumented occurrences, all of them.
            labels[gap["key"]][gap["label"]] = True
    keys = sorted(runs_by_key)
    runs = sorted({run for key in keys for run in runs_by_key[key]})
    params = {
        "decisions": [k for k in keys if kinds[k] == RULE_GAP],
        "notes": [k for k in keys if kinds[k] == "note_only_step"],
        "labels": {
            key: shared_label(_GAP_KINDS[kinds[key]], labels[key]) for key in keys
        },
        "runs": len(runs),
    }
    return [_finding("missing_documentation", keys, runs, params)]


def findings(measured, distances, variant_rows, process_map, *, imported=False):
    """Return the typed findings, in the order of ``FINDING_TYPES``."""
    return [
        *_bottlenecks(measured, process_map, imported),
        *_rework(measured),
        *_ping_pong(measured, imported),
        *_variance(measured, distances, variant_rows),
        *_missing_documentation(measured, imported),
    ]
