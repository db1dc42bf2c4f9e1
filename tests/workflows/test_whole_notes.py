"""The SOP's step list gives each note whole, not cut at 90 characters."""

from apps.workflows.whole_notes import with_whole_notes

LONG = "Called the site lead: the core switch lost power overnight " * 3


def _document(*steps, notes):
    return {
        "phases": [{"phase": "log", "steps": list(steps)}],
        "notes": [{"phase": "Log", "note": note} for note in notes],
    }


def _step(number, text, kind="note"):
    return {"number": number, "kind": kind, "text": text}


def test_a_cut_note_step_gets_its_whole_note():
    cut = ("Note: " + LONG)[:89].rstrip() + "…"
    document = _document(
        _step(1, "Open the ticket", kind="action"), _step(2, cut), notes=[LONG]
    )

    whole = with_whole_notes(document)

    assert whole["phases"][0]["steps"][1]["text"] == "Note: " + LONG.strip()
    assert whole["phases"][0]["steps"][0]["text"] == "Open the ticket"
    assert document["phases"][0]["steps"][1]["text"] == cut


def test_a_reworded_note_keeps_its_text_and_the_next_still_pairs():
    cut = ("Note: " + LONG)[:89].rstrip() + "…"
    document = _document(
        _step(1, "Say who was called"), _step(2, cut), notes=["Short one", LONG]
    )

    steps = with_whole_notes(document)["phases"][0]["steps"]

    assert [step["text"] for step in steps] == [
        "Say who was called",
        "Note: " + LONG.strip(),
    ]


def test_a_document_without_notes_is_unchanged():
    document = {"phases": [{"phase": "log", "steps": [_step(1, "Note: hi…")]}]}

    assert with_whole_notes(document) == document


def test_an_empty_document_is_unchanged():
    assert with_whole_notes({}) == {}
