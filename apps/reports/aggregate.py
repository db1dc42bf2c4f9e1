"""Measures over many runs of one workflow: map, variants, variance, health.

Pure, like ``measures``: it reads ``Trace`` values and the one-run figures.
"""

import operator
from collections import Counter, defaultdict
from itertools import accumulate, chain

import numpy
from rapidfuzz.distance import Levenshtein

from .measures import RESOLUTION_PHASES, median
from .trace import key_labels

# A step or transition whose median time is at least this share of the
# median resolution time is a bottleneck.
BOTTLENECK_SHARE = 0.2
# ... and it must happen in at least this share of the runs.
BOTTLENECK_RUNS = 0.25
# Runs this far, on average, from the most common path make a variance finding.
VARIANCE_DISTANCE = 0.2
SPREAD_FIGURES = (*RESOLUTION_PHASES, "close", "resolution")

# Weights of the health score's parts; they add up to 100.
HEALTH_WEIGHTS = {
    "consistency": 25,
    "flow": 25,
    "handoffs": 20,
    "documentation": 15,
    "rework": 15,
}


def edit_distance(reference, other):
    """Return the Levenshtein distance between two sequences of hashables.

    Insertions, deletions and substitutions cost 1 each. RapidFuzz computes
    it bit-parallel in compiled code, which keeps thousands of runs of
    hundreds of steps well under a second.
    """
    return Levenshtein.distance(list(reference), list(other))


def normalized_distance(reference, other):
    """Return the edit distance divided by the longer length: 0 same, 1 apart."""
    longest = max(len(reference), len(other))
    return edit_distance(reference, other) / longest if longest else 0.0


_KEY = operator.attrgetter("key")
_START = operator.attrgetter("start_ms")
_END = operator.attrgetter("end_ms")


def process_map(runs):
    """Return the directly-follows map of ``runs`` (lists of ordered activities).

    An edge a → b counts each time b directly follows a in a run; its times
    are those of ``_edges``.
    """
    return _process_map(_Columns(runs))


class _Columns:
    """The runs' step keys laid end to end, read once for map and variants."""

    def __init__(self, runs):
        self.runs = [activities for activities in runs if activities]
        self.flat = list(chain.from_iterable(self.runs))
        self.keys = list(map(_KEY, self.flat))
        self.firsts = list(accumulate(map(len, self.runs), initial=0))

    def sequences(self):
        keys, firsts = self.keys, self.firsts
        return list(map(tuple, map(keys.__getitem__, map(slice, firsts, firsts[1:]))))


def _process_map(columns):
    keys, firsts = columns.keys, columns.firsts[:-1]
    nodes = Counter(keys)
    index = {key: position for position, key in enumerate(sorted(nodes))}
    return {
        "nodes": _nodes(columns.flat, nodes),
        "edges": _edges(columns.flat, keys, index, firsts),
        "starts": dict(sorted(Counter(map(keys.__getitem__, firsts)).items())),
        "ends": dict(sorted(Counter(keys[i - 1] for i in columns.firsts[1:]).items())),
    }


def map_and_variants(traces_in_order):
    """Return the process map and the variants of (trace, activities) pairs."""
    columns = _Columns(activities for _trace, activities in traces_in_order)
    sequences = iter(columns.sequences())
    # Empty runs have no key sequence of their own: they are the empty path.
    per_run = [
        next(sequences) if activities else () for _t, activities in traces_in_order
    ]
    return _process_map(columns), _variants(traces_in_order, per_run)


def _edges(flat, keys, index, firsts):
    """Return the edges, each with its count and median times, in key order.

    ``median_ms`` is the time from the start of a to the start of b: how long
    the run took to get from one step to the next. ``median_gap_ms`` is the
    time from the end of a to the start of b, never below zero: the time no
    step accounts for. A recorded step lasts until the next one starts, so its
    gap is 0; imported updates are moments, with gaps between them.
    Vectorised over all transitions at once: this is the hot path when an
    organization has thousands of runs.
    """
    if len(flat) < 2:
        return []
    width = len(index)
    ids = numpy.fromiter(map(index.__getitem__, keys), numpy.int64, len(keys))
    begun = numpy.fromiter(map(_START, flat), numpy.int64, len(flat))
    finished = numpy.fromiter(map(_END, flat), numpy.int64, len(flat))

    # A transition joins two neighbours of one run: drop the pairs that
    # straddle two runs.
    within = numpy.ones(len(flat) - 1, dtype=bool)
    within[numpy.array(firsts[1:], dtype=numpy.int64) - 1] = False
    codes = (ids[:-1] * width + ids[1:])[within]
    if not len(codes):
        return []
    times = {
        "median_ms": (begun[1:] - begun[:-1])[within],
        "median_gap_ms": numpy.maximum(begun[1:] - finished[:-1], 0)[within],
    }

    unique, starts, counts = numpy.unique(
        numpy.sort(codes), return_index=True, return_counts=True
    )
    # Sorted by code, then time: each edge's times are one sorted block.
    sorted_times = {
        name: values[numpy.lexsort((values, codes))] for name, values in times.items()
    }
    names = list(index)
    edges = []
    for code, start, count in zip(
        unique.tolist(), starts.tolist(), counts.tolist(), strict=True
    ):
        source, target = divmod(code, width)
        edge = {"source": names[source], "target": names[target], "count": count}
        middle = slice(start + (count - 1) // 2, start + count // 2 + 1)
        for name, values in sorted_times.items():
            edge[name] = median(values[middle].tolist())
        edges.append(edge)
    return edges


def _nodes(flat, counts):
    # Every occurrence counts: a key's first label may not be true of the
    # others (one wait's duration, one note's text).
    labels = key_labels(flat)
    return [
        {"key": key, "label": labels[key], "count": counts[key]}
        for key in sorted(counts)
    ]


def variants(traces_in_order):
    """Return the distinct key sequences, most frequent first."""
    return map_and_variants(traces_in_order)[1]


def _variants(traces_in_order, sequences):
    runs_by_sequence = defaultdict(list)
    for (trace, _activities), sequence in zip(traces_in_order, sequences, strict=True):
        runs_by_sequence[sequence].append(trace.run_id)
    total = len(traces_in_order)
    ranked = sorted(runs_by_sequence.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {
            "rank": rank,
            "count": len(runs),
            "share": round(len(runs) / total, 4),
            "keys": list(sequence),
            "runs": runs,
        }
        for rank, (sequence, runs) in enumerate(ranked, start=1)
    ]


def run_distances(traces_in_order, variant_rows):
    """Return each run's variant and its distance to the most common variant.

    The distance is computed once per variant, not once per run.
    """
    if not variant_rows:
        return []
    reference = variant_rows[0]["keys"]
    of_run = {}
    for row in variant_rows:
        figures = (row["rank"], normalized_distance(reference, row["keys"]))
        of_run.update(dict.fromkeys(row["runs"], figures))
    return [
        {
            "run_id": trace.run_id,
            "agent": trace.agent,
            "variant": of_run[trace.run_id][0],
            "distance": of_run[trace.run_id][1],
        }
        for trace, _activities in traces_in_order
    ]


def _spread(values):
    if not values:
        return {"min": None, "median": None, "max": None}
    return {"min": min(values), "median": median(values), "max": max(values)}


def agent_spread(measured, distances):
    """Return per agent: runs, mean and max distance, spread of phase times."""
    by_agent = defaultdict(list)
    for run in measured:
        by_agent[run["agent"]].append(run)
    distance_by_run = {row["run_id"]: row["distance"] for row in distances}
    rows = []
    for agent in sorted(by_agent):
        runs = by_agent[agent]
        own = [distance_by_run[run["run_id"]] for run in runs]
        figures = {name: [] for name in SPREAD_FIGURES}
        for run in runs:
            timing = run["timing"]
            for phase in RESOLUTION_PHASES:
                figures[phase].append(timing["split"][phase])
            figures["close"].append(timing["close_ms"])
            # An open incident has no resolution time yet.
            if timing["resolution_ms"] is not None:
                figures["resolution"].append(timing["resolution_ms"])
        rows.append(
            {
                "agent": agent,
                "runs": len(runs),
                "mean_distance": round(sum(own) / len(own), 4),
                "max_distance": max(own),
                "spread": {name: _spread(values) for name, values in figures.items()},
            }
        )
    return rows


def _total(values):
    return sum(values) if values else None


def handoff_waits(measured):
    """Return count, median and total wait per handoff (field, from, to).

    The total is over the moves whose wait was measured; a move that no work
    followed has none. Both wait figures are None when no wait was measured.
    """
    waits = defaultdict(list)
    counts = Counter()
    for run in measured:
        for move in run["handoffs"]:
            handoff = (move["field"], move["from"], move["to"])
            counts[handoff] += 1
            if move["wait_ms"] is not None:
                waits[handoff].append(move["wait_ms"])
    return [
        {
            "field": field,
            "from": source,
            "to": target,
            "count": counts[field, source, target],
            "median_wait_ms": median(waits[field, source, target]),
            "total_wait_ms": _total(waits[field, source, target]),
        }
        for field, source, target in sorted(counts)
    ]
