"""The privacy receipt names only the redaction rules the server knows."""

import importlib
import json
from http import HTTPStatus

import pytest

from apps.recordings.models import Recording
from tests.recordings.helpers import create, finish, recording_body

pytestmark = pytest.mark.django_db


def _create(api_client, **fields):
    return api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(**fields)),
        content_type="application/json",
    )


def test_create_refuses_a_redaction_key_that_names_no_rule(api_client):
    privacy = {"redactions": {"john.doe@example.com +33 1 23 45 67 89": 1}}

    response = _create(api_client, privacy=privacy)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "unknown_redaction_rule"
    assert response.json()["error"]["field"] == "privacy.redactions"
    assert not Recording.objects.exists()


def test_create_refuses_a_nul_in_a_redaction_key(api_client):
    response = _create(api_client, privacy={"redactions": {"a\u0000b": 1}})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "unknown_redaction_rule"


def test_finish_refuses_a_nul_in_a_redaction_key(api_client):
    recording_id = create(api_client)

    response = finish(api_client, recording_id, privacy={"redactions": {"x\u0000": 1}})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "unknown_redaction_rule"
    assert Recording.objects.get(pk=recording_id).status != "finished"


def test_create_keeps_known_redaction_keys(api_client):
    privacy = {"redactions": {"email": 2, "phone": 1}}

    response = _create(api_client, privacy=privacy)

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["privacy"]["redactions"] == {"email": 2, "phone": 1}


def test_create_cuts_long_privacy_text(api_client):
    privacy = {"skipped_fields": ["Password " + "x" * 10_000]}

    response = _create(api_client, privacy=privacy)

    assert response.status_code == HTTPStatus.CREATED
    assert len(response.json()["privacy"]["skipped_fields"][0]) <= 200


def test_migration_drops_typed_values_stored_before_they_were_refused(
    api_client, organization
):
    from django.apps import apps

    from apps.recordings.models import Event

    migration = importlib.import_module(
        "apps.recordings.migrations.0003_event_drop_typed_values"
    )
    recording = Recording.objects.get(pk=create(api_client))
    stored = {
        1: {"type": "field_edited", "field_kind": "text", "value": "hunter2"},
        2: {"type": "choice_made", "field_kind": "checkbox", "value": "typed"},
        3: {"type": "choice_made", "field_kind": "select", "value": "Phone"},
        4: {"type": "click", "value": "typed"},
    }
    for seq, data in stored.items():
        Event.objects.create(
            organization=organization,
            recording=recording,
            seq=seq,
            client_ts=seq,
            ts=seq,
            type=data["type"],
            data={"seq": seq, "ts": seq, **data},
        )

    migration.drop_typed_values(apps, None)

    values = {
        event.seq: event.data.get("value")
        for event in Event.objects.filter(recording=recording)
    }
    assert values == {1: None, 2: None, 3: "Phone", 4: None}
