import pytest
from django.conf import settings

from apps.recordings import services
from apps.recordings.models import Event, RawBatch
from apps.recordings.tasks import raw_batches_replay_task
from ledgerium.celery import app
from tests.recordings.helpers import create, events, send

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_raw_batch_replay():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["replay-raw-batches"]

    assert entry == settings.CELERY_BEAT_SCHEDULE["replay-raw-batches"]
    assert entry["task"] == raw_batches_replay_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 300


def test_replay_task_stores_what_a_crash_left(api_client, monkeypatch):
    recording_id = create(api_client)

    def fail(recording, events):
        raise ConnectionError("server closed the connection")

    monkeypatch.setattr(services, "_copy_events", fail)
    with pytest.raises(ConnectionError):
        send(api_client, recording_id, events(1, 5))
    monkeypatch.undo()

    replayed = raw_batches_replay_task.apply(kwargs={"older_than_seconds": 0}).get()

    assert replayed == 1
    assert Event.objects.filter(recording_id=recording_id).count() == 5
    assert not RawBatch.objects.exists()
