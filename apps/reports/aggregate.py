"""Measures over many runs of one workflow: map, variants, variance, health.

Pure, like ``measures``: it reads ``Trace`` values and the one-run figures.
"""

from collections import Counter, defaultdict

from .measures import RESOLUTION_PHASES, median

# A step or transition whose median time is at least this share of the
# median resolution time is a bottleneck.
BOTTLENECK_SHARE = 0.2
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

    Bit-parallel over the columns (Hyyrö's form of Myers' algorithm), so one
    comparison costs one pass over ``other`` whatever the length of
    ``reference``.
    """
    if not reference:
        return len(other)
    if not other:
        return len(reference)
    match = {}
    for position, item in enumerate(reference):
        match[item] = match.get(item, 0) | (1 << position)
    return _bit_parallel(match, len(reference), other)


def _bit_parallel(match, length, other):
    mask = (1 << length) - 1
    top = 1 << (length - 1)
    positive, negative, score = mask, 0, length
    for item in other:
        equal = match.get(item, 0)
        vertical = equal | negative
        horizontal = (((equal & positive) + positive) ^ positive) | equal
        up = negative | (~(horizontal | positive) & mask)
        down = positive & horizontal
        if up & top:
            score += 1
        elif down & top:
            score -= 1
        up = ((up << 1) | 1) & mask
        down = (down << 1) & mask
        positive = down | (~(vertical | up) & mask)
        negative = up & vertical
    return score


def normalized_distance(reference, other):
    """Return the edit distance divided by the longer length: 0 same, 1 apart."""
    longest = max(len(reference), len(other))
    return edit_distance(reference, other) / longest if longest else 0.0


def process_map(runs):
    """Return the directly-follows map of ``runs`` (lists of ordered activities).

    An edge a → b counts each time b directly follows a in a run; its time is
    the gap from the end of a to the start of b, never below zero.
    """
    nodes, labels = Counter(), {}
    starts, ends = Counter(), Counter()
    gaps = defaultdict(list)
    for activities in runs:
        if not activities:
            continue
        starts[activities[0].key] += 1
        ends[activities[-1].key] += 1
        for activity in activities:
            nodes[activity.key] += 1
            labels.setdefault(activity.key, activity.label)
        for source, target in zip(activities, activities[1:], strict=False):
            gap = max(0, target.start_ms - source.end_ms)
            gaps[source.key, target.key].append(gap)
    return {
        "nodes": [
            {"key": key, "label": labels[key], "count": nodes[key]}
            for key in sorted(nodes)
        ],
        "edges": [
            {
                "source": source,
                "target": target,
                "count": len(values),
                "median_ms": median(values),
            }
            for (source, target), values in sorted(gaps.items())
        ],
        "starts": dict(sorted(starts.items())),
        "ends": dict(sorted(ends.items())),
    }


def variants(traces_in_order):
    """Return the distinct key sequences, most frequent first."""
    runs_by_sequence = defaultdict(list)
    for trace, activities in traces_in_order:
        runs_by_sequence[tuple(a.key for a in activities)].append(trace.run_id)
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
    """Return each run's variant and its distance to the most common variant."""
    if not variant_rows:
        return []
    reference = variant_rows[0]["keys"]
    rank_of = {tuple(row["keys"]): row["rank"] for row in variant_rows}
    cache = {}
    rows = []
    for trace, activities in traces_in_order:
        sequence = tuple(a.key for a in activities)
        if sequence not in cache:
            cache[sequence] = normalized_distance(reference, sequence)
        rows.append(
            {
                "run_id": trace.run_id,
                "agent": trace.agent,
                "variant": rank_of[sequence],
                "distance": cache[sequence],
            }
        )
    return rows


def _spread(values):
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


def handoff_waits(measured):
    """Return count and median wait per handoff (field, from, to), all runs."""
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
        }
        for field, source, target in sorted(counts)
    ]
