"""Two SOP versions side by side, step by step. Pure: no Django.

A reader comparing versions asks which steps were added, removed, moved or
reworded, not which Markdown lines moved: inserting one step must show one
added step, not every later step renumbered.
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the comparison: a step of either version, or of both."""

    change: str  # "same", "added", "removed", "moved" or "changed"
    older_number: int | None
    older_text: str
    newer_number: int | None
    newer_text: str
    phase: str
    older_phase: str = ""

    @property
    def phase_changed(self):
        return bool(self.older_phase) and self.older_phase != self.phase

    @property
    def reworded(self):
        """Return whether a step of both versions reads differently in each."""
        both = self.older_number is not None and self.newer_number is not None
        return both and self.older_text != self.newer_text


# The changes a comparison counts, in the order its summary gives them.
CHANGES = ("added", "removed", "moved", "changed")


def change_counts(rows):
    """Return ``(change, count)`` for each change in ``rows``, in ``CHANGES`` order."""
    counts = Counter(row.change for row in rows)
    return [(change, counts[change]) for change in CHANGES if counts[change]]


def compare_steps(older, newer):
    """Return the ``Row`` list that turns ``older``'s steps into ``newer``'s.

    Each side is a version's stored steps in SOP order; a step's number is
    its place in that order. Steps match by ``ref``, which an edit keeps.
    The most steps that can keep their order stay in place, and every other
    step of both versions has moved (see ``_kept_in_place`` and
    ``_swapped``). Only a step of one version alone is added or removed.
    Rows follow the newer order, a removed step where it stood.
    """
    ids = _identities(older), _identities(newer)
    where = {identity: a for a, identity in enumerate(ids[0])}
    placed = {identity: b for b, identity in enumerate(ids[1])}
    shared = [
        (where[identity], placed[identity]) for identity in ids[0] if identity in placed
    ]
    kept = _kept_in_place(shared)
    swapped = _swapped(shared, kept)

    rows = []
    a = b = 0
    for next_a, next_b in [*kept, (len(older), len(newer))]:
        rows.extend(
            _row("removed", older, index, None, None)
            for index in range(a, next_a)
            if ids[0][index] not in placed
        )
        for index in range(b, next_b):
            rows.append(_placed(older, newer, index, where.get(ids[1][index])))
        if next_a < len(older):
            change = (
                "moved" if next_a in swapped else _kept(older[next_a], newer[next_b])
            )
            rows.append(_row(change, older, next_a, newer, next_b))
        a, b = next_a + 1, next_b + 1
    return rows


def _identities(steps):
    """Return each step's ref with its count so far: unique in a version."""
    seen = {}
    identities = []
    for step in steps:
        seen[step["ref"]] = seen.get(step["ref"], 0) + 1
        identities.append((step["ref"], seen[step["ref"]]))
    return identities


def _kept_in_place(shared):
    """Return the (older, newer) index pairs of the steps that stay in place.

    ``shared`` pairs each step of both versions with its places, in the
    older order. The longest run of them in the newer order too stays: the
    fewest steps are shown moved. Among runs as long, the one whose steps
    kept their places among the shared steps best stays, so that a step
    swapped with another far off is the one shown moved, not the steps it
    passed. A Fenwick tree over the newer order keeps this n log n for
    SOPs of thousands of steps.
    """
    rank = {b: position for position, b in enumerate(sorted(b for _, b in shared))}
    tree = [_NOTHING] * (len(shared) + 1)
    before = []
    for index, (_, b) in enumerate(shared):
        length, drift, previous = _best_below(tree, rank[b])
        before.append(previous)
        drift -= abs(index - rank[b])
        _raise(tree, rank[b] + 1, (length + 1, drift, index))

    kept = []
    index = _best_below(tree, len(shared))[2]
    while index >= 0:
        kept.append(shared[index])
        index = before[index]
    return kept[::-1]


# A run's length, its steps' drift from their places (negated, so that
# larger is better) and its last step; ties go to the later last step.
_NOTHING = (0, 0, -1)


def _best_below(tree, position):
    best = _NOTHING
    while position > 0:
        best = max(best, tree[position])
        position -= position & -position
    return best


def _raise(tree, position, value):
    while position < len(tree):
        tree[position] = max(tree[position], value)
        position += position & -position


def _swapped(shared, kept):
    """Return the older indices of steps in place that swapped with a moved one.

    A moved step that passed exactly one step in place swapped places with
    it, and a reader expects both shown moved: keeping either in place
    would be as short. When two moved steps passed only the same step, as
    when three steps are reversed, that step stays in place.
    """
    kept_a = [a for a, _ in kept]
    kept_b = [b for _, b in kept]
    passed = {}
    for a, b in shared:
        # A step in place stands at the same place among those in place in
        # both orders, so only a moved step can differ by one.
        at, to = bisect_left(kept_a, a), bisect_left(kept_b, b)
        if abs(at - to) == 1:
            partner = kept_a[min(at, to)]
            passed[partner] = passed.get(partner, 0) + 1
    return {a for a, count in passed.items() if count == 1}


def _kept(old, new):
    if old.get("phase") != new.get("phase"):
        return "moved"
    return "same" if old.get("text") == new.get("text") else "changed"


def _placed(older, newer, b, a):
    if a is not None:
        return _row("moved", older, a, newer, b)
    return _row("added", None, None, newer, b)


def _row(change, older, a, newer, b):
    old = older[a] if a is not None else {}
    new = newer[b] if b is not None else {}
    return Row(
        change=change,
        older_number=a + 1 if a is not None else None,
        older_text=old.get("text", ""),
        newer_number=b + 1 if b is not None else None,
        newer_text=new.get("text", ""),
        phase=(new or old).get("phase", ""),
        older_phase=old.get("phase", "") if new else "",
    )
