"""The main job on real input: one incident, recorded by the real extension.

Chromium with the project's extension works a VPN outage in django-helpdesk
and Prometheus; the extension uploads to a live Ledgerium server on
PostgreSQL, a real Celery worker generates the workflow, and every output is
checked against what the agent did and typed.
"""

import time

import pytest

from apps.recordings.models import Recording, RecordingStatus
from tests import factories
from tests.e2e_real import browser, incident, leaks

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow]


@pytest.fixture
def recorded_run(
    transactional_db,
    live_server,
    celery_worker,
    organization,
    owner,
    helpdesk,
    prometheus,
    playwright_driver,
    agent_page_factory,
    tmp_path,
):
    """Record the incident through the extension and return what happened."""
    token = factories.api_token_for(organization=organization, user=owner)
    extension = browser.extension_copy()
    context, extension_id = browser.launch(
        playwright_driver, profile=tmp_path / "profile", extension=extension
    )
    try:
        recorder = browser.ExtensionRecorder(context, extension_id)
        recorder.connect(live_server.url, token)
        page = agent_page_factory(context)
        started = recorder.start(page)
        outcome = incident.perform(
            page,
            helpdesk=helpdesk.origin,
            prometheus=prometheus.origin,
            recorder=recorder,
        )
        recorder.stop()
        result = recorder.finish()
    finally:
        context.close()
    recording = wait_for_recording(organization, started["recording"]["id"])
    return {"outcome": outcome, "result": result, "recording": recording}


def wait_for_recording(organization, recording_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording = Recording.objects.filter(
            organization=organization, id=recording_id
        ).first()
        if recording and recording.status == RecordingStatus.FINISHED:
            return recording
        time.sleep(0.2)
    raise AssertionError(f"Recording {recording_id} never finished: {recording}")


def test_real_incident_keeps_typed_text_out_of_the_database(recorded_run):
    markers = list(recorded_run["outcome"].typed.markers.values())

    hits = leaks.database_hits(markers + [incident.NOTE])

    assert [hit for hit in hits if hit[2] != incident.NOTE] == []
    assert any(hit[2] == incident.NOTE for hit in hits), "the note must be stored"
