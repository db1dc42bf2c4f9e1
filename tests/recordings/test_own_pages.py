"""Ledgerium's own pages never become events, even when a client sends them.

The extension skips the pages of the server it is connected to; the server
drops what arrives on its own origin all the same, as the second line. The
test client's requests reach the server as http://testserver.
"""

import json
import uuid
from http import HTTPStatus

import pytest

from apps.recordings.models import Recording
from apps.recordings.selectors import recording_events
from apps.recordings.validation import origin_key
from tests.recordings.helpers import create, event, finish, recording_body, send

pytestmark = pytest.mark.django_db

SERVER = "http://testserver"


def own_page(seq, origin=SERVER):
    return event(
        seq,
        type="navigation",
        origin=origin,
        path="/dashboard/",
        title="Dashboard · Ledgerium",
        name="",
        role="",
        nav="load",
    )


def stored_seqs(recording_id):
    recording = Recording.objects.get(pk=recording_id)
    return [stored.seq for stored in recording_events(recording=recording)]


def test_append_drops_events_on_the_servers_own_origin(api_client):
    recording_id = create(api_client)
    batch = [event(1), own_page(2), own_page(3, "HTTP://TestServer:80"), event(4)]

    response = send(api_client, recording_id, batch)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["event_count"] == 2
    assert response.json()["missing"] == []
    assert stored_seqs(recording_id) == [1, 4]
    assert Recording.objects.get(pk=recording_id).dropped_seqs == [2, 3]


def test_append_keeps_another_port_or_scheme_of_the_same_host(api_client):
    recording_id = create(api_client)
    batch = [own_page(1, "http://testserver:8080"), own_page(2, "https://testserver")]

    send(api_client, recording_id, batch)

    assert stored_seqs(recording_id) == [1, 2]


def test_own_pages_sent_again_change_nothing_and_leave_no_gap(api_client):
    recording_id = create(api_client)
    batch = [event(1), own_page(2)]
    first = send(api_client, recording_id, batch)

    again = send(api_client, recording_id, batch)
    finished = finish(api_client, recording_id, last_seq=2)

    assert again.json() == first.json()
    assert finished.status_code == HTTPStatus.OK
    assert finished.json()["status"] == "finished"
    assert finished.json()["dropped_seqs"] == [2]
    assert stored_seqs(recording_id) == [1]


def test_an_own_page_new_to_a_finished_recording_is_refused(api_client):
    recording_id = create(api_client)
    send(api_client, recording_id, [event(1)])
    finish(api_client, recording_id)

    response = send(api_client, recording_id, [own_page(2)])

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "recording_finished"
    assert Recording.objects.get(pk=recording_id).dropped_seqs == []


def test_create_with_events_drops_own_pages(api_client):
    body = recording_body(recording_id=uuid.uuid4(), events=[own_page(1), event(2)])

    response = api_client.post(
        "/api/v1/recordings/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["dropped_seqs"] == [1]
    assert stored_seqs(response.json()["id"]) == [2]


@pytest.mark.parametrize(
    ("origin", "key"),
    [
        ("https://Ledgerium.example:443", ("https", "ledgerium.example", 443)),
        ("http://[::1]:8000", ("http", "::1", 8000)),
        ("http://127.0.0.1", ("http", "127.0.0.1", 80)),
        ("chrome-extension://abc", None),
        ("about:", None),
        ("http://host:port", None),
    ],
)
def test_origin_key_ignores_case_and_default_ports(origin, key):
    assert origin_key(origin) == key
