"""The dashboard lists recordings by when they were recorded, newest first,
and workflows by when they were made, newest first."""

import uuid
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest

from apps.recordings.models import Recording
from apps.web.selectors import recent_recordings
from apps.workflows.models import Workflow

pytestmark = pytest.mark.django_db

RECORDED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _recording(organization, title, started_at, **fields):
    return Recording.objects.create(
        organization=organization, title=title, started_at=started_at, **fields
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


def _uploaded(recording, at):
    Recording.objects.filter(pk=recording.pk).update(created_at=at)


def test_recent_recordings_recorded_at_once_go_newest_upload_first(organization):
    # The later upload has the smaller id, so that id order would list it last.
    earlier = _recording(organization, "Earlier", RECORDED, id=uuid.UUID(int=2))
    later = _recording(organization, "Later", RECORDED, id=uuid.UUID(int=1))
    _uploaded(earlier, RECORDED + timedelta(hours=1))
    _uploaded(later, RECORDED + timedelta(hours=2))

    listed = list(recent_recordings(organization=organization))

    assert listed == [later, earlier]


def test_recent_recordings_recorded_and_uploaded_at_once_go_by_id(organization):
    ids = {_recording(organization, str(n), RECORDED).pk for n in range(4)}
    Recording.objects.update(created_at=RECORDED)

    listed = [r.pk for r in recent_recordings(organization=organization)]

    assert listed == sorted(ids, reverse=True)


def test_dashboard_lists_recordings_recorded_at_once_newest_upload_first(
    organization, owner_client
):
    first = _recording(organization, "Uploaded first", RECORDED, id=uuid.UUID(int=4))
    second = _recording(organization, "Uploaded second", RECORDED, id=uuid.UUID(int=3))
    _uploaded(first, RECORDED + timedelta(hours=1))
    _uploaded(second, RECORDED + timedelta(hours=2))

    response = owner_client.get("/dashboard/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.index("Uploaded second") < page.index("Uploaded first")


def _workflow(organization, title):
    workflow = Workflow.objects.create(organization=organization, title=title)
    Workflow.objects.filter(pk=workflow.pk).update(created_at=RECORDED)
    return workflow


def test_dashboard_lists_workflows_made_at_once_newest_first(
    organization, owner_client
):
    first = _workflow(organization, "Made first")
    second = _workflow(organization, "Made second")

    response = owner_client.get("/dashboard/")
    status = owner_client.get("/dashboard/status/").json()

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.index("Made second") < page.index("Made first")
    assert [item["key"] for item in status["items"]] == [
        f"workflow:{second.pk}",
        f"workflow:{first.pk}",
    ]


def test_recent_recordings_leave_out_another_organization(
    organization, other_organization
):
    _recording(other_organization, "Theirs", RECORDED + timedelta(days=9))
    _recording(organization, "Ours", RECORDED)

    titles = [r.title for r in recent_recordings(organization=organization)]

    assert titles == ["Ours"]
