"""The privacy receipt names only the redaction rules the server knows."""

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
