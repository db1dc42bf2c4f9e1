"""The dashboard lists recordings by when they were recorded, newest first."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.recordings.models import Recording
from apps.web.selectors import recent_recordings

pytestmark = pytest.mark.django_db

RECORDED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _recording(organization, title, started_at):
    return Recording.objects.create(
        organization=organization, title=title, started_at=started_at
    )


def test_recent_recordings_come_newest_recorded_first_not_by_upload(organization):
    # Uploaded in this order; recorded in another.
    _recording(organization, "Tuesday", RECORDED + timedelta(days=1))
    _recording(organization, "Monday", RECORDED)
    _recording(organization, "Wednesday", RECORDED + timedelta(days=2))

    titles = [r.title for r in recent_recordings(organization=organization)]

    assert titles == ["Wednesday", "Tuesday", "Monday"]


def test_recent_recordings_without_a_recorded_time_go_by_upload(organization):
    _recording(organization, "Long ago", RECORDED - timedelta(days=400))
    undated = _recording(organization, "Undated", None)

    first = recent_recordings(organization=organization)[0]

    assert first == undated


def test_recent_recordings_recorded_at_once_go_by_id(organization):
    ids = {_recording(organization, str(n), RECORDED).pk for n in range(4)}

    listed = [r.pk for r in recent_recordings(organization=organization)]

    assert listed == sorted(ids, reverse=True)


def test_recent_recordings_leave_out_another_organization(
    organization, other_organization
):
    _recording(other_organization, "Theirs", RECORDED + timedelta(days=9))
    _recording(organization, "Ours", RECORDED)

    titles = [r.title for r in recent_recordings(organization=organization)]

    assert titles == ["Ours"]
