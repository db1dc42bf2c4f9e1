"""Cleaning what clients send: cut, control characters, privacy receipts."""

import uuid

import pytest

from apps.core.errors import ApplicationError
from apps.recordings import format, redaction, validation


def _note_event(note):
    return format.Event(seq=1, ts=1, type="note_added", note=note)


def test_clean_event_redacts_no_more_than_it_keeps(monkeypatch):
    seen = []
    original = redaction.redact

    def recording_redact(text, counts=None):
        seen.append(len(text))
        return original(text, counts)

    monkeypatch.setattr(redaction, "redact", recording_redact)
    note = uuid.uuid4().hex + " a" * 200_000

    event, _counts = validation.clean_event(_note_event(note))

    assert max(seen) < 2 * format.MAX_LENGTHS["note"]
    assert len(event.note) == format.MAX_LENGTHS["note"]
    assert event.truncated == ["note"]


def test_clean_event_redacts_a_finding_across_the_limit():
    limit = format.MAX_LENGTHS["note"]
    note = "x " * ((limit - 10) // 2) + "john.doe@example.com and more " * 300

    event, counts = validation.clean_event(_note_event(note))

    assert "john" not in event.note
    assert event.note.endswith("…")
    assert counts["email"] >= 1


def test_clean_event_redacts_what_shrinks_into_the_limit():
    limit = format.MAX_LENGTHS["note"]
    query = "https://example.com/?" + "q" * (limit + 600)
    note = f"{query} then +33 1 23 45 67 89 " + "z" * 5000

    event, _counts = validation.clean_event(_note_event(note))

    assert "[phone]" in event.note
    assert "45 67" not in event.note


def test_redact_email_bounds_the_local_part():
    text = "g" * 100 + "@example.com"

    assert redaction.redact(text) == "g" * 36 + "[email]"


def _cache_sizes():
    return (
        validation._clean_texts.cache_info().currsize,
        validation._clean_field.cache_info().currsize,
        redaction._redact.cache_info().currsize,
    )


def test_clean_event_caches_no_long_text():
    before = _cache_sizes()

    validation.clean_event(_note_event(uuid.uuid4().hex + " b" * 50_000))
    redaction.redact(uuid.uuid4().hex + " c" * 5_000)

    assert _cache_sizes() == before


def test_clean_event_caches_short_text():
    validation._clean_texts.cache_clear()
    validation._clean_field.cache_clear()
    redaction._redact.cache_clear()
    validation.clean_event(_note_event(f"Called back {uuid.uuid4()}"))
    before = _cache_sizes()

    validation.clean_event(_note_event(f"Called back {uuid.uuid4()}"))

    assert all(after > size for after, size in zip(_cache_sizes(), before, strict=True))


def test_clean_event_strips_what_xml_cannot_hold():
    event = format.Event(
        seq=1, ts=1, type="click", name="a\ufffeb\uffffc\ud800d", path="/x\uffff"
    )

    cleaned, _counts = validation.clean_event(event)

    assert (cleaned.name, cleaned.path) == ("abcd", "/x")


@pytest.mark.parametrize("body", [b"[]", b'{"events": {}}'])
def test_decode_calls_a_wrong_container_invalid(body):
    with pytest.raises(ApplicationError) as raised:
        validation.decode(body, format.Batch, max_bytes=1000)

    assert raised.value.code == "invalid"


def test_decode_calls_a_container_for_a_plain_value_nesting():
    body = b'{"events": [{"seq": 1, "ts": 1, "type": "click", "name": [[1]]}]}'

    with pytest.raises(ApplicationError) as raised:
        validation.decode(body, format.Batch, max_bytes=1000)

    assert raised.value.code == "nesting_too_deep"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "The body must be an object, not a list."),
        (
            b'{"events": [{"seq": 1, "ts": 1, "type": "click", "foo": 1}]}',
            "Event with seq 1 (number 1 in the events list): Unknown field “foo” "
            "(at $.events[0]).",
        ),
        (
            b'{"events": ["click"]}',
            "Event number 1 in the events list: the event must be an object, not "
            "text (at $.events[0]).",
        ),
        (
            b'{"events": [{"seq": 1, "ts": 1.5, "type": "click"}]}',
            "Event with seq 1 (number 1 in the events list): “ts” must be a whole "
            "number, not a decimal number (at $.events[0].ts).",
        ),
        (
            b'{"events": [{"seq": 7, "ts": 1, "type": "click"}, '
            b'{"seq": 9, "ts": 2, "type": "hover"}]}',
            "Event with seq 9 (number 2 in the events list): “type” has an "
            "unknown value, “hover” (at $.events[1].type).",
        ),
        (
            b'{"events": [{"seq": true, "ts": 1, "type": "click"}]}',
            "Event number 1 in the events list: “seq” must be a whole number, "
            "not true or false (at $.events[0].seq).",
        ),
        (
            # A wrong value before the body stops being JSON: it is not JSON.
            b'{"events": [{"seq": 7, "ts": "1", "type": "click"}, {"seq": ',
            "The body is not valid JSON: Input data was truncated.",
        ),
    ],
)
def test_decode_says_what_is_wrong_plainly_with_its_path(body, message):
    with pytest.raises(ApplicationError) as raised:
        validation.decode(body, format.Batch, max_bytes=1000)

    assert raised.value.message == message


@pytest.mark.parametrize(
    ("body", "file_message", "body_message"),
    [
        (
            b'{"id": "x",\n "title": "\xc3\xa9\xff"}',
            "The file is not text in UTF-8 (line 2, column 13).",
            "The body is not valid UTF-8 (byte 25).",
        ),
        (
            b'{\n  "id": "x",\n  "title": "caf\xc3\xa9" "x"}',
            "The file is not valid JSON: expected ',' or '}' (line 3, column 19).",
            "The body is not valid JSON: JSON is malformed: expected ',' or '}' "
            "(byte 34).",
        ),
        (
            b'{"id": "x",\n "title": "t",\n "events": [1,2,,3]}',
            "The file is not valid JSON: invalid character (line 3, column 17).",
            "The body is not valid JSON: JSON is malformed: invalid character "
            "(byte 43).",
        ),
        (
            b'{"title": 5,\n "clock_offset_ms": NaN}',
            "NaN and Infinity are not JSON numbers (line 2, column 21). Send finite "
            "numbers only.",
            "NaN and Infinity are not JSON numbers (byte 33). Send finite numbers "
            "only.",
        ),
        (
            b'{"title": 5, "id": "x"',
            "The file is not valid JSON: it ends in the middle of the JSON, as a "
            "file cut short does.",
            "The body is not valid JSON: Input data was truncated.",
        ),
        (
            b'{\n  "clock_offset_ms": NaN}',
            "NaN and Infinity are not JSON numbers (line 2, column 22). Send finite "
            "numbers only.",
            "NaN and Infinity are not JSON numbers (byte 23). Send finite numbers "
            "only.",
        ),
        (
            b'{"id": "x",\n',
            "The file is not valid JSON: it ends in the middle of the JSON, as a "
            "file cut short does.",
            "The body is not valid JSON: Input data was truncated.",
        ),
        (
            b" \n",
            "The file is empty: it holds no JSON.",
            "The body is not valid JSON: Input data was truncated.",
        ),
        (
            b"[]",
            "The file must be an object, not a list.",
            "The body must be an object, not a list.",
        ),
        (
            b'{"id": "x", "colour": 1}',
            "Unknown field “colour” in the file.",
            "Unknown field “colour” in the body.",
        ),
    ],
)
def test_decode_of_a_file_names_the_file_and_a_line_and_column(
    body, file_message, body_message
):
    with pytest.raises(ApplicationError) as from_file:
        validation.decode(body, format.Recording, max_bytes=1000, file=True)
    with pytest.raises(ApplicationError) as from_body:
        validation.decode(body, format.Recording, max_bytes=1000)

    assert from_file.value.message == file_message
    assert from_body.value.message == body_message
    assert from_file.value.code == from_body.value.code


@pytest.mark.parametrize("events", ["", ', "events": []'], ids=["missing", "empty"])
def test_decode_document_refuses_a_recording_without_events(events):
    body = ('{"id": "5f0c7a2e-9d1b-4e63-8a47-3c2b6e1d9f80"' + events + "}").encode()

    with pytest.raises(ApplicationError) as refused:
        validation.decode_document(body)

    assert refused.value.code == "recording_empty"
    assert refused.value.status == 400
    assert refused.value.field == "events"
    assert refused.value.message == (
        "The recording holds no events: “events” is missing or empty (at "
        "$.events). A recording needs at least one event to document anything."
    )


def test_clean_event_redacts_a_percent_encoded_path():
    event = format.Event(
        seq=1, ts=1, type="click", path="/users/john%40example.com/profile%00x"
    )

    cleaned, counts = validation.clean_event(event)

    assert cleaned.path == "/users/[email]/profile%00x"
    assert counts == {"email": 1}
