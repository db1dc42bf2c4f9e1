"""Two SOP versions side by side, step by step. Pure: no Django.

A reader comparing versions asks which steps were added, removed, moved or
reworded, not which Markdown lines moved: inserting one step must show one
added step, not every later step renumbered.
"""

import difflib
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


def compare_steps(older, newer):
    """Return the ``Row`` list that turns ``older``'s steps into ``newer``'s.

    Each side is a version's stored steps in SOP order; a step's number is
    its place in that order. Steps match by ``ref``, which an edit keeps:
    the longest run of steps in the same order stays in place, and a step
    of both versions outside it has moved. Only a step of one version alone
    is added or removed. Rows follow the newer order, a removed step where
    it stood.
    """
    refs = [step["ref"] for step in older], [step["ref"] for step in newer]
    shared = set(refs[0]) & set(refs[1])
    where = {ref: index for index, ref in enumerate(refs[0])}
    rows = []
    matcher = difflib.SequenceMatcher(None, *refs, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                _row(_kept(older[a], newer[b]), older, a, newer, b)
                for a, b in zip(range(a1, a2), range(b1, b2), strict=True)
            )
            continue
        rows.extend(
            _row("removed", older, a, None, None)
            for a in range(a1, a2)
            if refs[0][a] not in shared
        )
        rows.extend(_placed(older, newer, b, where, shared) for b in range(b1, b2))
    return rows


def _kept(old, new):
    if old.get("phase") != new.get("phase"):
        return "moved"
    return "same" if old.get("text") == new.get("text") else "changed"


def _placed(older, newer, b, where, shared):
    ref = newer[b]["ref"]
    if ref in shared:
        return _row("moved", older, where[ref], newer, b)
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
