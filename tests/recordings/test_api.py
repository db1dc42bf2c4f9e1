import json
import uuid
from http import HTTPStatus

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Role
from apps.recordings import format
from apps.recordings.models import Event, RawBatch, Recording
from apps.recordings.selectors import recording_events
from apps.recordings.signals import recording_finished
from tests import factories
from tests.recordings.helpers import (
    BASE_TS,
    create,
    event,
    events,
    finish,
    recording_body,
    send,
)


@pytest.fixture
def recording_id(api_client):
    """A recording holding events 1 to 3."""
    recording_id = create(api_client)
    assert send(api_client, recording_id, events(1, 3)).status_code == HTTPStatus.OK
    return recording_id


def stored(recording_id):
    recording = Recording.objects.get(pk=recording_id)
    return [msgspec_builtins(e) for e in recording_events(recording=recording)]


def msgspec_builtins(value):
    import msgspec

    return msgspec.to_builtins(value)


def error_of(response):
    return response.json()["error"]


# ------------------------------------------------------------------------------
# Create
# ------------------------------------------------------------------------------
def test_recording_create_answers_201_then_200_for_the_same_id(api_client):
    body = json.dumps(recording_body(recording_id=uuid.uuid4()))

    first = api_client.post(
        "/api/v1/recordings/", body, content_type="application/json"
    )
    again = api_client.post(
        "/api/v1/recordings/", body, content_type="application/json"
    )

    assert first.status_code == HTTPStatus.CREATED
    assert again.status_code == HTTPStatus.OK
    assert first.json() == again.json()
    assert Recording.objects.count() == 1


def test_recording_create_with_other_fields_is_a_conflict(api_client):
    recording_id = uuid.uuid4()
    create(api_client, recording_id=recording_id)

    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(recording_id=recording_id, title="Something else")),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert error_of(response)["code"] == "recording_conflict"
    assert error_of(response)["field"] == "title"


def test_recording_create_refuses_a_bad_id(api_client):
    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(recording_id="not-a-uuid")),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response) == {
        "code": "invalid",
        "message": "id: not-a-uuid is not a UUID.",
        "field": "id",
    }


def test_recording_create_refuses_an_event_nested_past_the_decoders_depth(
    api_client,
):
    body = json.dumps(recording_body()).encode()[:-1] + (
        b', "events": [{"seq": 1, "title": ' + b"[" * 1000 + b"]" * 1000 + b"}]}"
    )

    response = api_client.post(
        "/api/v1/recordings/", body, content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response)["code"] == "nesting_too_deep"
    assert not Recording.objects.exists()


def test_recording_create_refuses_an_id_of_another_organization(
    api_client, other_organization
):
    recording_id = uuid.uuid4()
    theirs = APIClient()
    owner = other_organization.memberships.get(role=Role.OWNER).user
    theirs.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=other_organization, user=owner)
    )
    create(theirs, recording_id=recording_id)

    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(recording_id=recording_id)),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert error_of(response)["code"] == "recording_id_taken"
    assert "Victim" not in response.content.decode()


def test_recording_create_redacts_its_title(api_client):
    recording_id = create(api_client, title="Unlock jane.doe@example.com")

    recording = Recording.objects.get(pk=recording_id)
    assert recording.title == "Unlock [email]"
    assert recording.server_redactions == {"email": 1}


def test_recording_create_by_a_viewer_is_forbidden(organization, client):
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client.force_login(viewer)

    response = client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body()),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert error_of(response)["code"] == "permission_denied"


# ------------------------------------------------------------------------------
# Append
# ------------------------------------------------------------------------------
def test_append_same_batch_twice_stores_once_and_answers_the_same(api_client):
    recording_id = create(api_client)
    batch = events(1, 5)

    first = send(api_client, recording_id, batch)
    again = send(api_client, recording_id, batch)

    assert first.status_code == again.status_code == HTTPStatus.OK
    assert first.json() == again.json()
    assert first.json()["event_count"] == 5
    assert Event.objects.filter(recording_id=recording_id).count() == 5
    assert not RawBatch.objects.exists()


def test_append_out_of_order_reports_missing_ranges(api_client):
    recording_id = create(api_client)

    response = send(api_client, recording_id, events(8, 9) + events(3, 4))

    assert response.status_code == HTTPStatus.OK
    assert response.json()["missing"] == [[1, 2], [5, 7]]
    detail = api_client.get(f"/api/v1/recordings/{recording_id}/").json()
    assert detail["missing"] == [[1, 2], [5, 7]]
    assert [e["seq"] for e in stored(recording_id)] == [3, 4, 8, 9]


def test_append_stores_corrected_and_client_timestamps(api_client):
    recording_id = create(api_client, clock_offset_ms=-1500)

    send(api_client, recording_id, [event(1)])

    row = Event.objects.get(recording_id=recording_id)
    assert row.client_ts == BASE_TS + 1000
    assert row.ts == BASE_TS + 1000 - 1500
    assert stored(recording_id)[0]["ts"] == BASE_TS - 500


def test_append_redacts_every_text_field(api_client):
    recording_id = create(api_client)
    noisy = event(
        1,
        title="Ticket for jane@example.com",
        name="Call +1 415 555 2671",
        role="jane@example.com",
        label="Card 4111 1111 1111 1111",
        note="Bearer abc.def.ghi",
        path="/users/bob@example.com/reset?token=abc#top",
        origin="https://user:secret@acme.service-now.com/some/path?x=1",
    )

    send(api_client, recording_id, [noisy])

    [saved] = stored(recording_id)
    assert saved["title"] == "Ticket for [email]"
    assert saved["name"] == "Call [phone]"
    assert saved["role"] == "[email]"
    assert saved["label"] == "Card [card]"
    assert saved["note"] == "Bearer [token]"
    assert saved["path"] == "/users/[email]/reset"
    assert saved["origin"] == "https://acme.service-now.com"
    assert Recording.objects.get(pk=recording_id).server_redactions == {
        "bearer": 1,
        "card": 1,
        "email": 3,
        "phone": 1,
        "query": 1,
    }


def test_append_keeps_ticket_and_order_numbers(api_client):
    recording_id = create(api_client)

    send(api_client, recording_id, [event(1, name="Order #10234 for INC0012345")])

    assert stored(recording_id)[0]["name"] == "Order #10234 for INC0012345"


def test_append_cuts_long_text_and_marks_it(api_client):
    recording_id = create(api_client)

    send(api_client, recording_id, [event(1, label="x" * 5000)])

    [saved] = stored(recording_id)
    assert len(saved["label"]) == format.MAX_LENGTHS["label"]
    assert saved["label"].endswith("…")
    assert saved["truncated"] == ["label"]


def test_append_strips_control_characters(api_client):
    recording_id = create(api_client)

    send(api_client, recording_id, [event(1, name="Sa\x00ve\x07")])

    assert stored(recording_id)[0]["name"] == "Save"


OVERSIZED = json.dumps(
    {"events": [event(4, note="n" * format.MAX_BATCH_BYTES)]}
).encode()

# What a broken client sent: the agent's typed text as a field's value.
TYPED = {
    "type": "field_edited",
    "label": "Summary of the problem",
    "field_kind": "text",
    "value": "hunter2 secret password",
}
NOT_TYPED = "carries no value; typed text is never recorded"
NO_OPTION = (
    "carries no value; only the chosen option of a select, radio, combobox "
    "or listbox is recorded"
)


def value_refused(index, seq, problem):
    return {
        "code": "invalid_event",
        "message": f"Event with seq {seq} (number {index + 1} in the events list): "
        f"{problem} (at $.events[{index}].value).",
        "field": "value",
        "index": index,
        "seq": seq,
    }


BAD_BATCHES = [
    pytest.param(
        b'{"events": [{"seq": 4, "ts": 1, "type": "click", "name": "\xff\xfe"}]}',
        HTTPStatus.BAD_REQUEST,
        {"code": "invalid_utf8", "message": "The body is not valid UTF-8 (byte 58)."},
        id="invalid-utf8",
    ),
    pytest.param(
        b'{"events": [{"seq": 4, "ts": NaN, "type": "click"}]}',
        HTTPStatus.BAD_REQUEST,
        {
            "code": "non_finite_number",
            "message": "NaN and Infinity are not JSON numbers (byte 29). "
            "Send finite numbers only.",
        },
        id="nan",
    ),
    pytest.param(
        b'{"events": [{"seq": 4, "ts": -Infinity, "type": "click"}]}',
        HTTPStatus.BAD_REQUEST,
        {
            "code": "non_finite_number",
            "message": "NaN and Infinity are not JSON numbers (byte 30). "
            "Send finite numbers only.",
        },
        id="infinity",
    ),
    pytest.param(
        b'{"events": [{"seq": 4, "ts": 1, "type": "click", "name": '
        + b'{"a": ' * 200
        + b"1"
        + b"}" * 200
        + b"}]}",
        HTTPStatus.BAD_REQUEST,
        {
            "code": "nesting_too_deep",
            "message": "Event with seq 4 (number 1 in the events list): “name” "
            "must be text, not an object (at $.events[0].name).",
            "field": "name",
            "index": 0,
            "seq": 4,
        },
        id="nesting",
    ),
    pytest.param(
        b'{"events": [{"seq": 4, "ts": 1, "type": "click", "name": '
        + b"[" * 1000
        + b"]" * 1000
        + b"}]}",
        HTTPStatus.BAD_REQUEST,
        {
            "code": "nesting_too_deep",
            "message": "Event number 1 in the events list: “name” must be text, "
            "not a list (at $.events[0].name).",
            "field": "name",
            "index": 0,
        },
        id="nesting-past-the-decoders-depth",
    ),
    pytest.param(
        b'{"events": [{"a": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001 + b"]}",
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event number 1 in the events list: Unknown field “a” "
            "(at $.events[0]).",
            "field": "a",
            "index": 0,
        },
        id="unknown-field-nesting-past-the-decoders-depth",
    ),
    pytest.param(
        {"events": [event(4), event(5, colour="red")]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event with seq 5 (number 2 in the events list): Unknown "
            "field “colour” (at $.events[1]).",
            "field": "colour",
            "index": 1,
            "seq": 5,
        },
        id="unknown-field",
    ),
    pytest.param(
        {"events": [event(4), event(5), {**event(6), "seq": "6"}]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event number 3 in the events list: “seq” must be a whole "
            "number, not text (at $.events[2].seq).",
            "field": "seq",
            "index": 2,
        },
        id="wrong-type",
    ),
    pytest.param(
        {"events": [event(4, type="scroll")]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event with seq 4 (number 1 in the events list): “type” "
            "has an unknown value, “scroll” (at $.events[0].type).",
            "field": "type",
            "index": 0,
            "seq": 4,
        },
        id="unknown-type",
    ),
    pytest.param(
        {"events": [event(0)]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event number 1 in the events list: “seq” must be a whole "
            "number of at least 1 (at $.events[0].seq).",
            "field": "seq",
            "index": 0,
        },
        id="seq-zero",
    ),
    pytest.param(
        {"events": [{"seq": 4, "type": "click"}]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event with seq 4 (number 1 in the events list): Missing "
            "field “ts” (at $.events[0]).",
            "index": 0,
            "seq": 4,
        },
        id="missing-field",
    ),
    pytest.param(
        {"events": [event(4, truncated=["password"])]},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_event",
            "message": "Event with seq 4 (number 1 in the events list): truncated "
            "names unknown fields: password.",
            "field": "truncated",
            "index": 0,
            "seq": 4,
        },
        id="truncated-unknown",
    ),
    pytest.param(
        {"events": [event(4), event(5, **TYPED)]},
        HTTPStatus.BAD_REQUEST,
        value_refused(1, 5, "a field_edited event " + NOT_TYPED),
        id="typed-value",
    ),
    pytest.param(
        {"events": [event(4, value="hunter2")]},
        HTTPStatus.BAD_REQUEST,
        value_refused(0, 4, "a click event " + NOT_TYPED),
        id="value-on-a-click",
    ),
    pytest.param(
        {"events": [event(4, **{**TYPED, "type": "choice_made"})]},
        HTTPStatus.BAD_REQUEST,
        value_refused(0, 4, "a choice_made event on a field of kind text " + NO_OPTION),
        id="value-on-a-text-choice",
    ),
    pytest.param(
        {"events": [event(4, type="choice_made", value="Yes")]},
        HTTPStatus.BAD_REQUEST,
        value_refused(0, 4, "a choice_made event on a field of kind null " + NO_OPTION),
        id="value-on-a-choice-of-no-kind",
    ),
    pytest.param(
        b'{"events": [',
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_json",
            "message": "The body is not valid JSON: Input data was truncated.",
        },
        id="truncated-json",
    ),
    pytest.param(
        b'{"events": [1,2,,3]}',
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid_json",
            "message": "The body is not valid JSON: JSON is malformed: invalid "
            "character (byte 16).",
        },
        id="broken-json-after-a-wrong-value",
    ),
    pytest.param(
        {"events": None},
        HTTPStatus.BAD_REQUEST,
        {
            "code": "invalid",
            "message": "“events” must be a list, not null (at $.events).",
            "field": "events",
        },
        id="events-null",
    ),
    pytest.param(
        {"events": events(4, 1004)},
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        {
            "code": "too_large",
            "message": "The batch holds 1001 events; the limit is 1000.",
            "field": "events",
        },
        id="too-many-events",
    ),
    pytest.param(
        OVERSIZED,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        {
            "code": "too_large",
            "message": (
                f"The body is 1.0 MiB ({len(OVERSIZED):,} bytes); "
                "the limit is 1 MiB (1,048,576 bytes)."
            ),
        },
        id="too-many-bytes",
    ),
    pytest.param(
        {"events": [event(4), event(2, name="Changed")]},
        HTTPStatus.CONFLICT,
        {
            "code": "seq_conflict",
            "message": "Event with seq 2 (number 2 in the events list): this seq "
            "was already received with other content. A seq must never be reused.",
            "field": "seq",
            "index": 1,
            "seq": 2,
        },
        id="seq-resent-changed",
    ),
    pytest.param(
        {"events": [event(4), event(4, name="Changed")]},
        HTTPStatus.CONFLICT,
        {
            "code": "seq_conflict",
            "message": "Event with seq 4 (number 2 in the events list): this seq "
            "was already received with other content. A seq must never be reused.",
            "field": "seq",
            "index": 1,
            "seq": 4,
        },
        id="seq-twice-in-batch",
    ),
]


@pytest.mark.parametrize("payload, status, error", BAD_BATCHES)
def test_append_bad_batch_is_refused_and_changes_nothing(
    api_client, recording_id, payload, status, error
):
    before = stored(recording_id)

    response = send(api_client, recording_id, payload)

    assert response.status_code == status
    assert error_of(response) == error
    assert stored(recording_id) == before
    assert not RawBatch.objects.exists()
    detail = api_client.get(f"/api/v1/recordings/{recording_id}/").json()
    assert detail["event_count"] == 3


@pytest.mark.parametrize("kind", ["select", "radio", "combobox", "listbox"])
def test_append_keeps_the_chosen_option_of_a_choice(api_client, recording_id, kind):
    choice = event(4, type="choice_made", label="Priority", field_kind=kind)

    response = send(api_client, recording_id, [{**choice, "value": "2 - High"}])

    assert response.status_code == HTTPStatus.OK
    assert stored(recording_id)[3]["value"] == "2 - High"


def test_append_refuses_a_value_on_a_checkbox(api_client, recording_id):
    tick = event(4, type="choice_made", field_kind="checkbox", checked=True)

    response = send(api_client, recording_id, [{**tick, "value": "on"}])

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response) == value_refused(
        0, 4, "a choice_made event on a field of kind checkbox " + NO_OPTION
    )
    assert len(stored(recording_id)) == 3


def test_recording_create_refuses_typed_text_and_keeps_no_recording(api_client):
    body = recording_body(events=[event(1), event(2, **TYPED)])

    response = api_client.post(
        "/api/v1/recordings/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response) == value_refused(
        1, 2, "a field_edited event " + NOT_TYPED
    )
    assert not Recording.objects.exists()
    assert not Event.objects.exists()


def test_append_refuses_a_declared_length_over_the_limit(api_client, recording_id):
    response = api_client.post(
        f"/api/v1/recordings/{recording_id}/events/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(format.MAX_BATCH_BYTES + 1),
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert error_of(response)["message"] == (
        "The body is 1.0 MiB (1,048,577 bytes); the limit is 1 MiB (1,048,576 bytes)."
    )


def test_append_to_another_organizations_recording_is_not_found(
    recording_id, other_organization
):
    owner = other_organization.memberships.get(role=Role.OWNER).user
    theirs = APIClient()
    theirs.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=other_organization, user=owner)
    )

    response = send(theirs, recording_id, events(4, 5))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert error_of(response) == {"code": "not_found", "message": "Not found."}
    assert len(stored(recording_id)) == 3


def test_append_with_a_bad_token_is_unauthorized(recording_id):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer ldg_not-a-token")

    response = send(client, recording_id, events(4, 5))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert error_of(response)["code"] == "authentication_failed"
    assert len(stored(recording_id)) == 3


def test_append_with_a_revoked_token_is_unauthorized(api_client, recording_id):
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())

    response = send(api_client, recording_id, events(4, 5))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "revoked" in error_of(response)["message"]
    assert len(stored(recording_id)) == 3


def test_append_without_credentials_is_unauthorized(recording_id):
    response = send(APIClient(), recording_id, events(4, 5))

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_append_over_the_rate_is_throttled_with_retry_after(api_client):
    recording_id = create(api_client)

    # The create above counts as the first of the four requests allowed.
    with override_settings(LEDGERIUM_API_RATE="4/min"):
        answers = [send(api_client, recording_id, [event(n)]) for n in (1, 2, 3, 4)]

    assert [a.status_code for a in answers[:3]] == [HTTPStatus.OK] * 3
    assert answers[3].status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert error_of(answers[3])["code"] == "throttled"
    assert 1 <= int(answers[3]["Retry-After"]) <= 61
    assert len(stored(recording_id)) == 3


def test_append_with_a_session_works(owner_client):
    recording_id = create(owner_client)

    response = send(owner_client, recording_id, events(1, 2))

    assert response.status_code == HTTPStatus.OK
    assert len(stored(recording_id)) == 2


def test_append_to_a_finished_recording_takes_only_resent_events(
    api_client, recording_id
):
    finish(api_client, recording_id)

    resent = send(api_client, recording_id, events(2, 3))
    new = send(api_client, recording_id, events(3, 4))

    assert resent.status_code == HTTPStatus.OK
    assert new.status_code == HTTPStatus.CONFLICT
    assert error_of(new)["code"] == "recording_finished"
    assert len(stored(recording_id)) == 3


# ------------------------------------------------------------------------------
# Durability
# ------------------------------------------------------------------------------
def test_append_crash_mid_insert_keeps_raw_batch_and_retry_completes(
    api_client, recording_id, monkeypatch
):
    from apps.recordings import services

    real_copy = services._copy_events

    def copy_half_then_fail(recording, events):
        real_copy(recording, events[: len(events) // 2])
        raise ConnectionError("server closed the connection")

    monkeypatch.setattr(services, "_copy_events", copy_half_then_fail)
    with pytest.raises(ConnectionError):
        send(api_client, recording_id, events(4, 10))
    assert RawBatch.objects.count() == 1
    assert len(stored(recording_id)) == 3

    monkeypatch.setattr(services, "_copy_events", real_copy)
    response = send(api_client, recording_id, events(4, 10))

    assert response.status_code == HTTPStatus.OK
    assert response.json()["event_count"] == 10
    assert [e["seq"] for e in stored(recording_id)] == list(range(1, 11))
    assert not RawBatch.objects.exists()


def test_finish_replays_a_raw_batch_left_by_a_crash(
    api_client, recording_id, monkeypatch
):
    from apps.recordings import services

    monkeypatch.setattr(services, "_copy_events", _fail)
    with pytest.raises(ConnectionError):
        send(api_client, recording_id, events(4, 6))
    monkeypatch.undo()

    response = finish(api_client, recording_id)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["event_count"] == 6
    assert not RawBatch.objects.exists()


def _fail(recording, events):
    raise ConnectionError("server closed the connection")


# ------------------------------------------------------------------------------
# Finish
# ------------------------------------------------------------------------------
def test_finish_with_gaps_is_refused_naming_the_ranges(api_client):
    recording_id = create(api_client)
    send(api_client, recording_id, events(1, 2) + events(5, 5) + events(9, 9))

    response = finish(api_client, recording_id, last_seq=11)

    assert response.status_code == HTTPStatus.CONFLICT
    assert error_of(response) == {
        "code": "recording_incomplete",
        "message": "Events are missing: 3–4, 6–8, 10–11. Send them, or finish "
        "with gaps_final to accept the gaps.",
        "missing": [[3, 4], [6, 8], [10, 11]],
    }
    assert Recording.objects.get(pk=recording_id).status == "recording"


def test_finish_with_final_gaps_keeps_them(api_client):
    recording_id = create(api_client)
    send(api_client, recording_id, events(1, 2) + events(5, 5))

    response = finish(api_client, recording_id, gaps_final=True, last_seq=6)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "finished"
    assert response.json()["final_gaps"] == [[3, 4], [6, 6]]
    assert response.json()["missing"] == []


def test_finish_deletes_the_seqs_dropped_in_review(api_client, recording_id):
    response = finish(api_client, recording_id, dropped=[2], last_seq=3)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["dropped_seqs"] == [2]
    assert response.json()["event_count"] == 2
    assert [e["seq"] for e in stored(recording_id)] == [1, 3]


def test_finish_answers_with_the_recordings_page(
    api_client, owner_client, recording_id
):
    response = finish(api_client, recording_id, last_seq=3)

    page_url = response.json()["page_url"]
    assert page_url == f"http://testserver/recordings/{recording_id}/"
    assert owner_client.get(page_url).status_code == HTTPStatus.OK
    again = api_client.get(f"/api/v1/recordings/{recording_id}/")
    assert again.json()["page_url"] == page_url


def test_finish_refuses_to_drop_seqs_never_recorded(api_client, recording_id):
    response = finish(api_client, recording_id, dropped=[2, 5_000_000], last_seq=3)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["field"] == "dropped"
    assert "5000000 was named" in response.json()["error"]["message"]
    assert [e["seq"] for e in stored(recording_id)] == [1, 2, 3]


def test_finish_stores_the_privacy_receipt_redacted(api_client, recording_id):
    receipt = {
        "redactions": {"email": 3},
        "skipped_fields": ["Password", "Note to bob@example.com"],
        "uninstrumented": [{"origin": "https://bank.example/a?b", "reason": "opt-out"}],
    }

    response = finish(api_client, recording_id, privacy=receipt, finished_at=BASE_TS)

    assert response.json()["privacy"] == {
        "redactions": {"email": 3},
        "skipped_fields": ["Password", "Note to [email]"],
        "uninstrumented": [{"origin": "https://bank.example", "reason": "opt-out"}],
    }
    assert response.json()["finished_client_ms"] == BASE_TS
    assert response.json()["finished_at"] == "2025-12-29T09:20:00.250000Z"


def test_finish_sends_the_signal_once_after_commit(
    api_client, recording_id, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, recording, **kwargs):
        received.append(str(recording.pk))

    recording_finished.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            finish(api_client, recording_id)
            finish(api_client, recording_id)
    finally:
        recording_finished.disconnect(receiver)

    assert received == [recording_id]


def test_finish_refuses_a_recording_without_events_and_keeps_it_open(
    api_client, django_capture_on_commit_callbacks
):
    recording_id = create(api_client)
    received = []

    def receiver(sender, recording, **kwargs):
        received.append(recording.pk)

    recording_finished.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = finish(api_client, recording_id, last_seq=0)
    finally:
        recording_finished.disconnect(receiver)

    assert response.status_code == HTTPStatus.CONFLICT
    assert error_of(response) == {
        "code": "recording_empty",
        "message": "The recording holds no events, so there is nothing to finish "
        "and document. Send its events first, or delete it.",
        "field": "events",
    }
    assert Recording.objects.get(pk=recording_id).status == "recording"
    assert received == []


def test_finish_dropping_every_event_is_refused_and_drops_none(
    api_client, recording_id
):
    response = finish(api_client, recording_id, dropped=[1, 2, 3], last_seq=3)

    recording = Recording.objects.get(pk=recording_id)
    assert response.status_code == HTTPStatus.CONFLICT
    assert error_of(response)["code"] == "recording_empty"
    assert (recording.status, recording.event_count) == ("recording", 3)
    assert recording.dropped_seqs == []
    assert len(stored(recording_id)) == 3


def test_finish_refuses_unknown_fields(api_client, recording_id):
    response = finish(api_client, recording_id, gaps="final")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response) == {
        "code": "invalid",
        "message": "Unknown field “gaps” in the body.",
    }


# ------------------------------------------------------------------------------
# List, retrieve, discard
# ------------------------------------------------------------------------------
def test_list_shows_only_the_organizations_recordings(api_client, other_organization):
    mine = create(api_client)
    owner = other_organization.memberships.get(role=Role.OWNER).user
    theirs = APIClient()
    theirs.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=other_organization, user=owner)
    )
    create(theirs)

    response = api_client.get("/api/v1/recordings/")

    assert response.status_code == HTTPStatus.OK
    assert [r["id"] for r in response.json()["results"]] == [mine]


def test_list_pages_recordings_uploaded_at_once_by_id(api_client, organization):
    # Made in the order opposite to the list's, so that the order the table
    # keeps them in is not the answer.
    made = [str(uuid.UUID(int=n)) for n in (1, 2, 3)]
    for recording_id in made:
        create(api_client, recording_id=recording_id)
    Recording.objects.update(created_at=Recording.objects.first().created_at)

    pages = [
        api_client.get(f"/api/v1/recordings/?limit=1&offset={offset}").json()
        for offset in range(3)
    ]

    assert [page["results"][0]["id"] for page in pages] == made[::-1]


def test_discard_deletes_everything_but_the_tombstone(api_client, recording_id):
    response = api_client.delete(f"/api/v1/recordings/{recording_id}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Event.objects.filter(recording_id=recording_id).exists()
    recording = Recording.objects.get(pk=recording_id)
    assert (recording.status, recording.title) == ("discarded", "")
    assert api_client.get("/api/v1/recordings/").json()["results"] == []
    late = send(api_client, recording_id, events(4, 4))
    assert late.status_code == HTTPStatus.CONFLICT
    assert error_of(late)["code"] == "recording_discarded"


def test_discarded_recording_reads_as_gone_and_deletes_again(api_client, recording_id):
    api_client.delete(f"/api/v1/recordings/{recording_id}/")
    base = f"/api/v1/recordings/{recording_id}/"

    reads = [api_client.get(base + path) for path in ("", "export.json", "export.xes")]
    again = api_client.delete(base)
    finish = api_client.post(base + "finish/", {}, format="json")

    for read in reads:
        assert read.status_code == HTTPStatus.GONE
        assert error_of(read) == {
            "code": "recording_discarded",
            "message": "This recording was deleted; only its id is kept.",
        }
    assert again.status_code == HTTPStatus.NO_CONTENT
    assert finish.status_code == HTTPStatus.CONFLICT
    assert error_of(finish)["code"] == "recording_discarded"


def test_retrieve_another_organizations_recording_is_not_found(
    recording_id, other_organization
):
    owner = other_organization.memberships.get(role=Role.OWNER).user
    theirs = APIClient()
    theirs.force_authenticate(owner)
    theirs.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=other_organization, user=owner)
    )

    for method in ("get", "delete"):
        response = getattr(theirs, method)(f"/api/v1/recordings/{recording_id}/")
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert len(stored(recording_id)) == 3


def test_recording_create_refuses_a_newer_format_version(api_client):
    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(format_version=2)),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_of(response) == {
        "code": "invalid",
        "message": "“format_version” must be a whole number of at most 1 (at $.format_version).",
        "field": "format_version",
    }


def test_recording_create_with_too_many_events_is_too_large(api_client):
    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(events=events(1, 1001))),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert error_of(response)["message"] == (
        "The recording holds 1001 events; the limit is 1000."
    )
    assert not Recording.objects.exists()


def test_append_with_a_session_needs_the_csrf_token(owner, recording_id):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = send(client, recording_id, events(4, 4))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in error_of(response)["message"]
    assert len(stored(recording_id)) == 3


def test_admin_lists_recordings_for_staff(client, recording_id):
    staff = factories.user_create()
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    listing = client.get("/staff/recordings/recording/")
    detail = client.get(f"/staff/recordings/recording/{recording_id}/change/")

    assert listing.status_code == detail.status_code == HTTPStatus.OK
    assert "Reset a password" in listing.content.decode()
