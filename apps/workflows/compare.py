"""Two SOP versions side by side, step by step. Pure: no Django.

A reader comparing versions asks which steps were added, removed or
reworded, not which Markdown lines moved: inserting one step must show one
added step, not every later step renumbered.
"""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the comparison: a step of either version, or of both."""

    change: str  # "same", "added", "removed" or "changed"
    older_number: int | None
    older_text: str
    newer_number: int | None
    newer_text: str
    phase: str


def compare_steps(older, newer):
    """Return the ``Row`` list that turns ``older``'s steps into ``newer``'s.

    Each side is a version's stored steps in SOP order; a step's number is
    its place in that order. Steps match by phase and text; a replaced run
    of steps pairs off as "changed" as far as both sides go.
    """
    keys = [_key(step) for step in older], [_key(step) for step in newer]
    rows = []
    matcher = difflib.SequenceMatcher(None, *keys, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                _row("same", older, a, newer, b)
                for a, b in zip(range(a1, a2), range(b1, b2), strict=True)
            )
            continue
        paired = min(a2 - a1, b2 - b1) if tag == "replace" else 0
        rows.extend(
            _row("changed", older, a1 + i, newer, b1 + i) for i in range(paired)
        )
        rows.extend(
            _row("removed", older, a, None, None) for a in range(a1 + paired, a2)
        )
        rows.extend(_row("added", None, None, newer, b) for b in range(b1 + paired, b2))
    return rows


def _key(step):
    return step.get("phase", ""), step.get("text", "")


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
    )
