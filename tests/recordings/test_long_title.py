"""A recording's title or agent past its limit is shortened at a word, ends
in "…" and is named in the recording's ``truncated``."""

import json
import uuid
from http import HTTPStatus

import pytest

from apps.recordings import format
from apps.recordings.models import Recording
from tests.recordings.helpers import recording_body

pytestmark = pytest.mark.django_db

# As the walk's file had it: 490 characters, the limit falling inside a word.
LONG_TITLE = "Ünïcödé 🚀 " + "Very long title " * 30
LIMIT = format.RECORDING_MAX_LENGTHS["title"]


def _create(api_client, **fields):
    return api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(**fields)),
        content_type="application/json",
    )


def test_shorten_leaves_text_within_the_limit_alone():
    assert format.shorten("a" * 10, 10) == "a" * 10


def test_shorten_cuts_between_words_and_ends_in_an_ellipsis():
    assert format.shorten("Printer on floor two jams", 14) == "Printer on…"


def test_shorten_keeps_a_word_that_ends_at_the_limit():
    assert format.shorten("Printer on floor two", 11) == "Printer on…"


def test_shorten_cuts_inside_one_word_too_long_to_drop():
    assert format.shorten("VPN " + "x" * 40, 20) == "VPN " + "x" * 15 + "…"


def test_create_shortens_a_long_title_at_a_word_and_says_so(api_client):
    assert len(LONG_TITLE) > LIMIT and LONG_TITLE[LIMIT - 1] != " "

    response = _create(api_client, title=LONG_TITLE)

    body = response.json()
    assert response.status_code == HTTPStatus.CREATED
    assert body["title"].endswith(" Very long title…")
    assert len(body["title"]) <= LIMIT
    assert LONG_TITLE.startswith(body["title"][:-1])
    assert body["truncated"] == ["title"]
    stored = Recording.objects.get(pk=body["id"])
    assert (stored.title, stored.truncated) == (body["title"], ["title"])


def test_create_shortens_a_long_agent_too(api_client):
    agent = "Agent " + "Ortega " * 40

    body = _create(api_client, agent=agent).json()

    assert body["agent"].endswith(" Ortega…")
    assert len(body["agent"]) <= format.RECORDING_MAX_LENGTHS["agent"]
    assert body["truncated"] == ["agent"]


def test_create_of_a_title_within_the_limit_shortens_nothing(api_client):
    body = _create(api_client, title="x" * LIMIT).json()

    assert body["title"] == "x" * LIMIT
    assert body["truncated"] == []


def test_create_again_with_the_same_long_title_finds_the_same_recording(api_client):
    recording_id = uuid.uuid4()
    _create(api_client, recording_id=recording_id, title=LONG_TITLE)

    again = _create(api_client, recording_id=recording_id, title=LONG_TITLE)

    assert again.status_code == HTTPStatus.OK
    assert again.json()["truncated"] == ["title"]
