import uuid
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils.formats import date_format
from django.utils.timezone import localtime

from apps.accounts.models import Role
from apps.recordings import format
from apps.recordings.models import Recording, RecordingStatus
from apps.recordings.services import recording_create
from apps.workflows.models import State, Workflow
from apps.workflows.services import workflow_generate
from tests import factories
from tests.sharing.helpers import SAMPLE

pytestmark = pytest.mark.django_db


def _imported(owner_client, organization):
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    return Recording.objects.get(organization=organization)


def _generating(organization, recording):
    # The finish signal is sent on commit, which a test transaction never does.
    return workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )


def _open_recording(organization, owner):
    document = format.Recording(
        id=str(uuid.uuid4()),
        title="Half way",
        events=[
            format.Event(seq=1, ts=1_767_000_000_000, type="click", name="Save"),
            format.Event(seq=3, ts=1_767_000_005_000, type="click", name="Close"),
        ],
    )
    recording, _created = recording_create(
        organization=organization, user=owner, document=document
    )
    return recording


def test_recording_page_shows_steps_and_events(organization, owner_client):
    recording = _imported(owner_client, organization)

    response = owner_client.get(f"/recordings/{recording.pk}/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Berlin office lost network access" in page
    assert "Captured events" in page
    assert page.count("<tr>") > 10
    assert "Open ServiceNow" in page
    assert "· Log</span>" in page
    assert "· log</span>" not in page


def test_upload_lands_on_the_recording_page(organization, owner_client):
    response = owner_client.post("/upload/", {"file": SAMPLE.open("rb")})

    recording = Recording.objects.get(organization=organization)
    assert response["Location"] == f"/recordings/{recording.pk}/"


def test_open_recording_with_a_gap_finishes_only_when_accepted(
    organization, owner, owner_client
):
    recording = _open_recording(organization, owner)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()
    refused = owner_client.post(f"/recordings/{recording.pk}/finish/")
    accepted = owner_client.post(
        f"/recordings/{recording.pk}/finish/", {"accept_gaps": "on"}
    )

    assert "1 range of events never arrived." in page
    assert refused.status_code == HTTPStatus.CONFLICT
    assert accepted.status_code == HTTPStatus.FOUND
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.FINISHED


def test_open_recording_without_events_is_not_offered_to_finish(
    organization, owner, owner_client
):
    document = format.Recording(id=str(uuid.uuid4()), title="Nothing yet")
    recording, _created = recording_create(
        organization=organization, user=owner, document=document
    )

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()
    refused = owner_client.post(f"/recordings/{recording.pk}/finish/")

    assert f"/recordings/{recording.pk}/finish/" not in page
    assert "No events of this recording have arrived, so it cannot be finished" in page
    assert f"/recordings/{recording.pk}/delete/" in page
    assert refused.status_code == HTTPStatus.CONFLICT
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.RECORDING


def test_finished_recording_without_events_is_not_offered_to_generate(
    organization, owner_client
):
    recording = _imported(owner_client, organization)
    Workflow.objects.filter(organization=organization).delete()
    recording.events.all().delete()
    Recording.objects.filter(pk=recording.pk).update(event_count=0)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()
    refused = owner_client.post("/workflows/generate/", {"recording": recording.pk})

    assert 'action="/workflows/generate/"' not in page
    assert (
        "This recording holds no events, so there is nothing to document and no "
        "workflow can be generated from it. Delete it." in page
    )
    assert refused.status_code == HTTPStatus.CONFLICT
    assert not Workflow.objects.filter(organization=organization).exists()


def test_delete_discards_the_events(organization, owner_client):
    recording = _imported(owner_client, organization)

    response = owner_client.post(
        f"/recordings/{recording.pk}/delete/", {"confirmed": "yes"}
    )

    assert response.status_code == HTTPStatus.FOUND
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.DISCARDED
    assert not recording.events.exists()


def test_deleted_recording_is_not_found_on_any_page(organization, owner_client):
    recording = _imported(owner_client, organization)
    url = f"/recordings/{recording.pk}/"
    owner_client.post(url + "delete/", {"confirmed": "yes"})

    pages = [owner_client.get(url), owner_client.get(url + "status/")]
    posts = [
        owner_client.post(url + "finish/"),
        owner_client.post(url + "delete/", {"confirmed": "yes"}),
        owner_client.post("/workflows/generate/", {"recording": recording.pk}),
    ]

    assert [r.status_code for r in pages + posts] == [HTTPStatus.NOT_FOUND] * 5
    assert "Discarded" not in pages[0].content.decode()
    assert "Untitled recording" not in owner_client.get("/dashboard/").content.decode()


def test_viewer_sees_but_cannot_delete(organization, owner_client):
    recording = _imported(owner_client, organization)
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)

    page = client.get(f"/recordings/{recording.pk}/").content.decode()
    response = client.post(f"/recordings/{recording.pk}/delete/")

    assert "Delete recording" not in page
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_recording_of_another_organization_is_404(
    organization, other_organization, owner_client
):
    stranger = other_organization.memberships.get(role=Role.OWNER).user
    recording = _open_recording(other_organization, stranger)

    response = owner_client.get(f"/recordings/{recording.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_recording_page_links_to_its_workflow_and_shows_it_generating(
    organization, owner_client
):
    recording = _imported(owner_client, organization)
    workflow = _generating(organization, recording)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert (
        f'<a class="button" href="/workflows/{workflow.pk}/">Open the workflow</a>'
        in (page)
    )
    assert f'data-status-url="/recordings/{recording.pk}/status/"' in page
    assert f'data-item="workflow:{workflow.pk}"' in page
    assert 'data-state="queued" data-busy="true"' in page
    assert '<progress max="100" value="0" aria-label="Generating the workflow">' in page


def test_recording_status_reports_its_workflow_until_ready(organization, owner_client):
    recording = _imported(owner_client, organization)
    workflow = _generating(organization, recording)

    queued = owner_client.get(f"/recordings/{recording.pk}/status/")
    Workflow.objects.filter(pk=workflow.pk).update(state=State.READY, progress=100)
    ready = owner_client.get(f"/recordings/{recording.pk}/status/").json()

    assert queued["Cache-Control"] == "no-store"
    assert queued.json()["busy"] is True
    assert queued.json()["items"][0]["key"] == f"workflow:{workflow.pk}"
    assert ready["busy"] is False
    assert ready["items"][0]["state"] == "ready"


def test_recording_page_says_when_it_was_recorded_and_uploaded(
    organization, owner_client
):
    recording = _imported(owner_client, organization)
    uploaded = date_format(localtime(recording.created_at), "j M Y, H:i")

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert "<dd>12 Nov 2026, 08:00 – 08:17</dd>" in page
    assert f"<dt>Uploaded</dt><dd>{uploaded}</dd>" in page


def test_dashboard_lists_a_recording_by_when_it_was_recorded(
    organization, owner_client
):
    _imported(owner_client, organization)

    page = owner_client.get("/dashboard/").content.decode()

    assert "· recorded 12 Nov 2026, 08:00" in page


def test_recording_page_names_the_browser_not_its_user_agent(
    organization, owner_client
):
    recording = _imported(owner_client, organization)
    Recording.objects.filter(pk=recording.pk).update(
        client_browser="Mozilla/5.0 (X11; Linux x86_64) Chrome/142.0.0.0 Safari/537.36"
    )

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert " · Chrome 142 on Linux</dd>" in page
    assert "Mozilla/5.0" not in page
