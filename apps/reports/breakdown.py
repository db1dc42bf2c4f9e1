"""SLA and resolution time of an incident history, whole and split by field.

Pure: the incidents come in as mappings (or anything with ``.get``) holding
``made_sla`` (True, False or None when the export did not say),
``resolution_ms`` (None while unresolved) and the fields split by; the
figures go out as plain values that a JSON field stores as they are.
"""

import math
import re

from .measures import median

# The fields a history is split by, in the order the page shows them.
DIMENSIONS = ("priority", "assignment_group", "category")
# Which share of resolved incidents the upper figure is over: 90 % of them
# were resolved within it.
UPPER_FRACTION = 0.9
# A group's share of missed SLAs stands out only when it is higher than the
# history's as a whole and judged over at least this many incidents: one
# missed SLA out of one says little about a team.
FLAG_MIN_JUDGED = 5
_RANK = re.compile(r"\s*(\d+)")


def percentile(values, fraction):
    """Return the nearest-rank ``fraction`` percentile of ``values``, or None.

    Nearest rank: the smallest value that at least ``fraction`` of the
    values do not exceed, so the figure is always one that was measured.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _mean(values):
    return round(sum(values) / len(values)) if values else None


def figures(incidents):
    """Return the counts, SLA and resolution figures of ``incidents``."""
    judged = [i.get("made_sla") for i in incidents if i.get("made_sla") is not None]
    resolved = [
        i.get("resolution_ms") for i in incidents if i.get("resolution_ms") is not None
    ]
    missed = judged.count(False)
    return {
        "incidents": len(incidents),
        "judged": len(judged),
        "made_sla": len(judged) - missed,
        "missed_sla": missed,
        "missed_share": missed / len(judged) if judged else None,
        "resolved": len(resolved),
        "median_resolution_ms": median(resolved),
        "p90_resolution_ms": percentile(resolved, UPPER_FRACTION),
        "mean_resolution_ms": _mean(resolved),
    }


def priority_key(value):
    """Order priorities by their leading number ("1 - Critical" first).

    Values without one follow by name; an incident without a priority last.
    """
    match = _RANK.match(value)
    if match:
        return (0, int(match.group(1)), value)
    return (1 if value else 2, 0, value)


def count_key(row):
    """Order by incidents, most first, then by value; no value last."""
    return (not row["value"], -row["incidents"], row["value"])


def _grouped(incidents, field):
    groups = {}
    for incident in incidents:
        groups.setdefault(incident.get(field) or "", []).append(incident)
    return groups


def _flagged(row, overall_share):
    share = row["missed_share"]
    return (
        share is not None
        and overall_share is not None
        and row["judged"] >= FLAG_MIN_JUDGED
        and share > overall_share
    )


def split(incidents, field, *, overall_share=None):
    """Return the figures of ``incidents`` for each value of ``field``.

    Priorities come in priority order, other fields by count. A row is
    ``flagged`` when it misses the SLA more often than ``overall_share``.
    """
    rows = [
        {"value": value, **figures(group)}
        for value, group in _grouped(incidents, field).items()
    ]
    if field == "priority":
        rows.sort(key=lambda row: priority_key(row["value"]))
    else:
        rows.sort(key=count_key)
    for row in rows:
        row["flagged"] = _flagged(row, overall_share)
    return rows


def breakdown(incidents, dimensions=DIMENSIONS):
    """Return the history's figures as a whole and split by each dimension."""
    incidents = list(incidents)
    overall = figures(incidents)
    share = overall["missed_share"]
    return {
        "overall": overall,
        "flag_min_judged": FLAG_MIN_JUDGED,
        **{field: split(incidents, field, overall_share=share) for field in dimensions},
    }
