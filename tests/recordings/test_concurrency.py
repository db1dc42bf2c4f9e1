"""Appends racing on one recording, each on its own PostgreSQL connection."""

import threading
import uuid

import pytest
from django.db import connection

from apps.recordings import format
from apps.recordings.models import Event, Recording
from apps.recordings.services import recording_append, recording_create
from tests.recordings.helpers import events


def _body(first, last):
    import json

    return json.dumps({"events": events(first, last)}).encode()


@pytest.mark.django_db(transaction=True)
def test_append_racing_overlapping_batches_store_each_event_once(organization, owner):
    recording, _created = recording_create(
        organization=organization,
        user=owner,
        document=format.Recording(id=str(uuid.uuid4())),
    )
    # Every thread sends the same three overlapping batches, in its own order.
    bodies = [_body(1, 60), _body(41, 100), _body(81, 120)]
    start = threading.Barrier(6)
    errors = []

    def work(offset):
        try:
            start.wait()
            for step in range(3):
                recording_append(recording=recording, body=bodies[(offset + step) % 3])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(Event.objects.filter(recording=recording).values_list("seq", flat=True))
    assert sorted(seqs) == list(range(1, 121))
    recording = Recording.objects.get(pk=recording.pk)
    assert (recording.event_count, recording.highest_seq) == (120, 120)
