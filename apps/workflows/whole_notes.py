"""Note steps with their whole note, for the SOP's step list.

Pure. A step's text is cut at 90 characters ("Note: Called the Berlin…");
the SOP document keeps every note whole in its notes list, in the order of
the note steps. A note step whose text was cut from its note gets the whole
note back; a reworded one no longer matches and keeps its own text.
"""

NOTE = "Note: "
CUT = "…"


def with_whole_notes(document):
    """Return a copy of ``document`` whose note steps read in full."""
    notes = [
        NOTE + " ".join(note["note"].split()) for note in document.get("notes", [])
    ]
    steps = sorted(
        (step for phase in document.get("phases", []) for step in phase["steps"]),
        key=lambda step: step["number"],
    )
    whole = _whole_texts([step for step in steps if step["kind"] == "note"], notes)
    phases = [
        {**phase, "steps": [_with_text(step, whole) for step in phase["steps"]]}
        for phase in document.get("phases", [])
    ]
    return {**document, "phases": phases} if phases else document


def _whole_texts(note_steps, notes):
    """Return ``{step number: whole text}``, pairing steps and notes in order."""
    texts = {}
    start = 0
    for step in note_steps:
        found = next(
            (
                at
                for at in range(start, len(notes))
                if _cut_from(step["text"], notes[at])
            ),
            None,
        )
        if found is not None:
            texts[step["number"]] = notes[found]
            start = found + 1
    return texts


def _cut_from(text, whole):
    return text == whole or (text.endswith(CUT) and whole.startswith(text[:-1]))


def _with_text(step, whole):
    if step["number"] not in whole:
        return step
    return {**step, "text": whole[step["number"]]}
