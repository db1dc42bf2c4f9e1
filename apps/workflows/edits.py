"""Apply an editor's changes to generated steps.

Pure: no Django. An edit names steps by ``ref`` (stable for the same kind
of step in the same place of the process), so the edits of one version carry
over to the steps generated from a newer recording; an edit whose step is no
longer there is reported back instead of applied.
"""

from dataclasses import replace

from apps.core.text import text_clean
from apps.recordings.format import MAX_LENGTHS

from .phases import PHASES
from .steps import Step

# A step's text, up to a whole recorded note with its "Note: " prefix.
MAX_TEXT = MAX_LENGTHS["note"] + 100

OPERATIONS = ("reword", "reorder", "merge", "split", "delete", "move_phase", "note")


class EditError(ValueError):
    """An edit that cannot mean anything, whatever the steps."""


def validate_edit(edit):
    """Return the edit cleaned, or raise ``EditError`` saying what is wrong."""
    op = edit.get("op")
    if op not in OPERATIONS:
        raise EditError(f"Unknown edit {op!r}; use one of {', '.join(OPERATIONS)}.")
    ref = _string(edit.get("ref"))
    if not ref:
        raise EditError("An edit must name the step it changes.")
    cleaned = {"op": op, "ref": ref}
    if op in ("reword", "note"):
        cleaned["text"] = _text(edit.get("text"))
    if op == "split":
        texts = [_text(text) for text in edit.get("texts") or ()]
        if len(texts) < 2:
            raise EditError("Splitting a step needs at least two texts.")
        cleaned["texts"] = texts
    if op == "merge":
        cleaned["with"] = _string(edit.get("with"))
        if not cleaned["with"] or cleaned["with"] == ref:
            raise EditError("Merging needs a second, different step.")
    if op == "move_phase":
        if edit.get("phase") not in PHASES:
            raise EditError(f"A phase is one of {', '.join(PHASES)}.")
        cleaned["phase"] = edit["phase"]
    if op == "reorder":
        cleaned["after"] = _string(edit.get("after"))
    return cleaned


def _string(value):
    # PostgreSQL refuses NUL in the JSON the edits are stored as.
    return text_clean(str(value or "")).strip()


def _text(value):
    text = " ".join(_string(value).split())
    if not text:
        raise EditError("The text is empty.")
    if len(text) > MAX_TEXT:
        raise EditError(f"The text is longer than {MAX_TEXT} characters.")
    return text


def phase_overrides(edits):
    return {edit["ref"]: edit["phase"] for edit in edits if edit["op"] == "move_phase"}


def apply_edits(steps, edits):
    """Return ``(steps, skipped)``: the edited steps and the edits not applied."""
    steps = list(steps)
    skipped = []
    for edit in edits:
        if edit["op"] == "move_phase":
            continue  # applied while phases are assigned
        index = _find(steps, edit["ref"])
        if index is None or not _APPLY[edit["op"]](steps, index, edit):
            skipped.append(edit)
    return steps, skipped


def _find(steps, ref):
    for index, step in enumerate(steps):
        if step.ref == ref:
            return index
    return None


def _reword(steps, index, edit):
    steps[index] = replace(steps[index], text=edit["text"], edited=True)
    return True


def _delete(steps, index, edit):
    del steps[index]
    return True


def _reorder(steps, index, edit):
    step = steps.pop(index)
    if not edit["after"]:
        steps.insert(0, step)
        return True
    after = _find(steps, edit["after"])
    if after is None:
        steps.insert(index, step)
        return False
    steps.insert(after + 1, replace(step, edited=True))
    return True


def _merge(steps, index, edit):
    other = _find(steps, edit["with"])
    if other is None:
        return False
    first, second = steps[index], steps[other]
    steps[index] = replace(
        first,
        start_ms=min(first.start_ms, second.start_ms),
        end_ms=max(first.end_ms, second.end_ms),
        evidence=tuple(sorted(set(first.evidence) | set(second.evidence))),
        edited=True,
    )
    del steps[other]
    return True


def _split(steps, index, edit):
    step = steps[index]
    texts = edit["texts"]
    count = len(texts)
    span = step.duration_ms // count
    share = -(-len(step.evidence) // count) if step.evidence else 0
    parts = []
    for number, text in enumerate(texts):
        start = step.start_ms + span * number
        end = step.end_ms if number == count - 1 else start + span
        evidence = step.evidence[number * share : (number + 1) * share]
        ref = step.ref if number == 0 else f"{step.ref}/{number + 1}"
        parts.append(
            replace(
                step,
                ref=ref,
                text=text,
                start_ms=start,
                end_ms=end,
                evidence=evidence,
                decision=step.decision if number == 0 else None,
                kind=step.kind if number == 0 or step.kind != "decision" else "action",
                edited=True,
            )
        )
    steps[index : index + 1] = parts
    return True


def _note(steps, index, edit):
    step = steps[index]
    note = Step(
        ref=f"note:{step.ref}:{len(steps)}",
        key="editor:note",
        kind="note",
        verb="note",
        text=f"Note: {edit['text']}",
        system=step.system,
        system_kind=step.system_kind,
        start_ms=step.end_ms,
        end_ms=step.end_ms,
        evidence=(),
        phase=step.phase,
        phase_source="editor",
        note=edit["text"],
        edited=True,
    )
    steps.insert(index + 1, note)
    return True


_APPLY = {
    "reword": _reword,
    "reorder": _reorder,
    "merge": _merge,
    "split": _split,
    "delete": _delete,
    "note": _note,
}
