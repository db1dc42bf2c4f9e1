from apps.recordings.services import recording_discard
from apps.recordings.signals import recording_discarded
from tests.workflows.conftest import import_sample


def test_recording_discard_announces_only_once_committed(
    organization, settings, django_capture_on_commit_callbacks
):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False
    recording = import_sample(organization)
    heard = []

    def listen(sender, recording, **kwargs):
        heard.append(recording.pk)

    recording_discarded.connect(listen, dispatch_uid="test.discard")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            recording_discard(recording=recording)
            assert heard == []
        for callback in callbacks:
            callback()
    finally:
        recording_discarded.disconnect(dispatch_uid="test.discard")

    recording.refresh_from_db()
    assert heard == [recording.pk]
    assert recording.status == "discarded"
