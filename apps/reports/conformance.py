"""Conformance of one run against an approved step sequence and triage rules.

Pure. An approved sequence is a list of activity keys; a triage rule is a
mapping ``{"field": ..., "value": ..., "when": {attribute: value}}``. A wait
is no step: it is left out of both sides, so it is never missing or added.
"""

from collections import defaultdict

from .measures import ordered_activities
from .trace import Trace


def _unique(items):
    return list(dict.fromkeys(items))


def _is_wait(key):
    """Return whether ``key`` names a wait ("itsm:wait:idle"): no one acted."""
    parts = key.split(":")
    return len(parts) >= 3 and parts[1] == "wait"


def _common_subsequence(left, right):
    """Return the positions in ``left`` of one longest common subsequence."""
    rows, cols = len(left), len(right)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            if left[i] == right[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])

    kept, i, j = set(), 0, 0
    while i < rows and j < cols:
        if left[i] == right[j]:
            kept.add(i)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def rule_outcome(rule, trace, decisions):
    """Return followed, broken, not_observed or not_applicable for ``rule``."""
    attributes = trace.attributes or {}
    when = rule.get("when") or {}
    if any(str(attributes.get(name, "")) != str(value) for name, value in when.items()):
        return {"rule": rule, "outcome": "not_applicable", "observed": None}
    field = str(rule["field"]).casefold()
    chosen = [d.value for d in decisions if d.field.casefold() == field]
    if not chosen:
        return {"rule": rule, "outcome": "not_observed", "observed": None}
    outcome = "followed" if chosen[-1] == str(rule["value"]) else "broken"
    return {"rule": rule, "outcome": outcome, "observed": chosen[-1]}


def _same_steps(activities, approved, labels):
    """Return {run key: approved key} of steps that differ only in their record.

    A key names the record a step acted on ("admin:open:vpn-gw-02"), so the
    approved step done on another record has a key of its own. A step of the
    run that is not approved takes the key of the one approved step with its
    label that the run lacks, and is then neither missing nor added.
    """
    keys = {a.key for a in activities}
    lacking = defaultdict(list)
    for key in dict.fromkeys(approved):
        if key not in keys and labels.get(key):
            lacking[labels[key]].append(key)
    approved_set = set(approved)
    return {
        a.key: lacking[a.label][0]
        for a in activities
        if a.key not in approved_set and len(lacking.get(a.label, ())) == 1
    }


def conformance(trace: Trace, approved, rules=(), labels=None):
    """Return the steps missing, added and out of order, and each rule's outcome.

    ``labels`` maps approved keys to their labels: a step of the run with an
    approved step's label counts as that step, whatever record it acted on.
    """
    activities = [
        a for a in ordered_activities(trace) if a.kind != "wait" and not _is_wait(a.key)
    ]
    approved = [key for key in approved if not _is_wait(key)]
    same = _same_steps(activities, approved, labels or {})
    performed = [same.get(a.key, a.key) for a in activities]
    approved_set, performed_set = set(approved), set(performed)

    shared_run = [key for key in performed if key in approved_set]
    shared_approved = [key for key in approved if key in performed_set]
    in_order = _common_subsequence(shared_run, shared_approved)
    out_of_order = [key for i, key in enumerate(shared_run) if i not in in_order]

    decisions = [
        a.decision for a in ordered_activities(trace) if a.decision is not None
    ]
    outcomes = [rule_outcome(rule, trace, decisions) for rule in rules]
    result = {
        "run_id": trace.run_id,
        "missing": _unique(k for k in approved if k not in performed_set),
        "added": _unique(k for k in performed if k not in approved_set),
        "out_of_order": _unique(out_of_order),
        "rules": outcomes,
    }
    broken = any(o["outcome"] == "broken" for o in outcomes)
    result["conforms"] = not (
        result["missing"] or result["added"] or result["out_of_order"] or broken
    )
    return result
