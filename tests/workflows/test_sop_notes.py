"""Each SOP step carries its text whole: a long note reads in full everywhere."""

from pathlib import Path

import msgspec
import pytest
from django.conf import settings

from apps.recordings import format as recording_format
from apps.workflows.documents import document_data, render_html
from apps.workflows.edits import MAX_TEXT, EditError, validate_edit
from apps.workflows.pipeline import generate

SAMPLE = Path(settings.BASE_DIR, "apps/recordings/samples/network-outage.json")
LONG_NOTE = (
    "Called the Berlin site lead: the core switch lost power during last "
    "night's maintenance and came back with its uplink ports disabled."
)


def _generated(edits=()):
    document = msgspec.json.decode(SAMPLE.read_bytes(), type=recording_format.Recording)
    return generate(document.events, title=document.title, edits=edits)


def _note_steps(sop):
    return [step for phase in sop.phases for step in phase.steps if step.kind == "note"]


def test_a_cut_note_step_carries_its_whole_note():
    steps = _note_steps(_generated().sop)

    long_step = next(step for step in steps if step.text.endswith("…"))
    # A recorded note is an aside from the recording, not an instruction.
    assert long_step.full_text == LONG_NOTE
    assert {step.aside for step in steps} == {"From the recording"}
    assert all(
        f"Note: {step.full_text}" == step.text for step in steps if step != long_step
    )


def test_a_reworded_note_step_keeps_the_editor_words():
    ref = next(
        step.ref for step in _note_steps(_generated().sop) if step.text.endswith("…")
    )

    sop = _generated([{"op": "reword", "ref": ref, "text": "Call the site lead"}]).sop

    step = next(step for step in _note_steps(sop) if step.ref == ref)
    assert step.text == step.full_text == "Call the site lead"
    assert step.aside == ""


def test_markdown_gives_the_note_step_whole():
    markdown = _generated().markdown

    steps = markdown[markdown.index("## Steps") : markdown.index("## Decision")]
    assert "*From the recording:* Called the Berlin site lead: the core switch" in (
        steps
    )
    assert "uplink ports disabled." in steps
    assert "…" not in steps


def test_the_same_recording_gives_the_same_sop():
    assert document_data(_generated().sop) == document_data(_generated().sop)


def test_a_document_stored_before_full_texts_renders_its_stored_text():
    document = document_data(_generated().sop)
    for phase in document["phases"]:
        for step in phase["steps"]:
            del step["full_text"]

    html = render_html(document=document, workflow_id=None, version_number=1)

    assert "Note: Called the Berlin site lead" in html
    assert "uplink ports disabled.</span>" not in html


def test_a_whole_note_can_be_saved_back_unchanged_but_not_a_longer_text():
    longest_note = "Note: " + "x" * recording_format.MAX_LENGTHS["note"]

    kept = validate_edit({"op": "reword", "ref": "r", "text": longest_note})

    assert kept["text"] == longest_note
    with pytest.raises(EditError, match=str(MAX_TEXT)):
        validate_edit({"op": "reword", "ref": "r", "text": "x" * (MAX_TEXT + 1)})
