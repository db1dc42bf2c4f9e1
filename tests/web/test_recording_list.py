"""The recordings page lists every recording of the organization, a page at a
time, with its workflow or the reason it has none."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.timezone import localtime

from apps.accounts.models import Role
from apps.accounts.services import usage_reserve_workflow
from apps.recordings.models import Recording, RecordingStatus
from apps.recordings.services import recording_discard
from apps.web.forms import RecordingFilterForm
from apps.web.selectors import RECORDING_FILTERS
from apps.web.views import RECORDINGS_PER_PAGE
from apps.workflows.models import Run, State, Workflow
from apps.workflows.selectors import run_list
from tests import factories
from tests.web.html import unlabelled_controls
from tests.workflows.conftest import build_sample, import_sample, recording_emptied
from tests.workflows.recording_factory import network_outage

pytestmark = pytest.mark.django_db

RECORDED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROW = re.compile(r'<tr data-item="recording:([0-9a-f-]+)">(.*?)</tr>', re.S)
GENERATE_FORM = re.compile(
    r'<form method="post" action="/workflows/generate/" class="inline">.*?</form>',
    re.S,
)


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _recording(organization, title, started_at=RECORDED, **fields):
    fields.setdefault("status", RecordingStatus.FINISHED)
    fields.setdefault("event_count", 3)
    return Recording.objects.create(
        organization=organization, title=title, started_at=started_at, **fields
    )


def _with_workflow(recording, *, state=State.READY, steps=()):
    workflow = Workflow.objects.create(
        organization_id=recording.organization_id, title=f"{recording.title} SOP"
    )
    Workflow.objects.filter(pk=workflow.pk).update(state=state)
    Run.objects.create(
        organization_id=recording.organization_id,
        workflow=workflow,
        recording=recording,
        state=state,
        steps=[{"kind": kind} for kind in steps],
        step_count=len(steps),
    )
    return workflow


def _rows(response):
    """Return each listed recording's id and its row's text, in page order."""
    page = response.content.decode()
    return [(uuid.UUID(pk), unescape(row)) for pk, row in ROW.findall(page)]


def _client(organization, role):
    client = Client()
    client.force_login(factories.member_add(organization=organization, role=role))
    return client


def _use_up_quota(organization):
    for _ in range(5):
        usage_reserve_workflow(organization=organization)


def test_recording_list_pages_through_all_recordings_newest_first(
    organization, owner_client
):
    recordings = [
        _recording(organization, f"Recording {n}", RECORDED + timedelta(hours=n))
        for n in range(RECORDINGS_PER_PAGE + 2)
    ]
    newest_first = [r.pk for r in reversed(recordings)]

    first = owner_client.get("/recordings/")
    second = owner_client.get("/recordings/?page=2")

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert [pk for pk, _row in _rows(first)] == newest_first[:RECORDINGS_PER_PAGE]
    assert [pk for pk, _row in _rows(second)] == newest_first[RECORDINGS_PER_PAGE:]
    assert "27 recordings, the most recently recorded first." in first.text
    assert "Page 1 of 2" in first.text
    assert '<a href="?page=2">Next</a>' in first.text
    assert '<a href="?page=1">Previous</a>' in second.text


def test_recording_list_never_shows_another_organizations_recordings(
    organization, other_organization, owner_client
):
    ours = _recording(organization, "Ours")
    theirs = _recording(other_organization, "Theirs", RECORDED + timedelta(days=1))
    _with_workflow(theirs)
    _recording(other_organization, "Theirs without a workflow")

    response = owner_client.get("/recordings/")
    without = owner_client.get("/recordings/?show=without_workflow")

    assert [pk for pk, _row in _rows(response)] == [ours.pk]
    assert [pk for pk, _row in _rows(without)] == [ours.pk]
    assert "Theirs" not in response.text + without.text
    assert "1 recording, the most recently recorded first." in response.text


def test_recording_list_leaves_out_a_deleted_recording(organization, owner_client):
    kept = _recording(organization, "Kept")
    recording_discard(recording=_recording(organization, "Deleted"))

    assert [pk for pk, _row in _rows(owner_client.get("/recordings/"))] == [kept.pk]


def test_recording_list_shows_who_when_steps_state_and_workflow(
    organization, owner_client
):
    recording = import_sample(organization)
    workflow = build_sample(organization, recording)
    (run,) = run_list(workflow=workflow)
    uploaded = _recording(
        organization, "Imported without a time", None, agent="Tomás Ortega"
    )

    rows = dict(_rows(owner_client.get("/recordings/")))

    recorded = rows[recording.pk]
    assert f'<a href="/recordings/{recording.pk}/">{recording.title}</a>' in recorded
    assert f'<td class="user-text">{recording.agent}</td>' in recorded
    when = date_format(localtime(recording.started_at), "DATETIME_FORMAT")
    assert f"<td>{when}</td>" in recorded
    assert run.numbered_count > 0
    assert f"<td>{run.numbered_count}</td>" in recorded
    assert '<span class="state state-finished">Finished</span>' in recorded
    assert (
        f'<a href="/workflows/{workflow.pk}/">{workflow.title}</a> '
        '<span class="state state-ready">Ready</span>'
    ) in recorded
    other = rows[uploaded.pk]
    assert '<td class="user-text">Tomás Ortega</td>' in other
    when = date_format(localtime(uploaded.created_at), "DATETIME_FORMAT")
    assert f"<td>uploaded {when}</td>" in other
    assert "<td>—</td>" in other


def test_recording_list_names_the_uploader_when_no_agent_is_given(
    organization, owner, owner_client
):
    owner.name = "Dana Whitfield"
    owner.save()
    recording = _recording(organization, "Mine", created_by=owner)

    (row,) = _rows(owner_client.get("/recordings/"))

    assert row[0] == recording.pk
    assert '<td class="user-text">Dana Whitfield</td>' in row[1]


def test_recording_list_counts_only_the_steps_the_sop_numbers(
    organization, owner_client
):
    recording = _recording(organization, "With a wait")
    _with_workflow(recording, steps=("action", "wait", "action", "note"))
    queued = _recording(organization, "Still building", RECORDED - timedelta(hours=1))
    _with_workflow(queued, state=State.QUEUED, steps=("action",))

    rows = dict(_rows(owner_client.get("/recordings/")))

    assert "<td>3</td>" in rows[recording.pk]
    assert "<td>—</td>" in rows[queued.pk]
    assert '<span class="state state-queued">Queued</span>' in rows[queued.pk]


def test_recording_list_says_why_a_recording_has_no_workflow(
    organization, owner_client
):
    open_one = _recording(organization, "Open", status=RecordingStatus.RECORDING)
    empty = recording_emptied(_recording(organization, "Empty"))
    waiting = _recording(organization, "Waiting")

    rows = dict(_rows(owner_client.get("/recordings/")))

    assert "None yet: the recording is not finished." in rows[open_one.pk]
    assert '<span class="state state-recording">Recording</span>' in rows[open_one.pk]
    assert "None: the recording holds no events to document." in rows[empty.pk]
    assert "None yet." in rows[waiting.pk]
    assert [pk for pk, row in rows.items() if GENERATE_FORM.search(row)] == [waiting.pk]


def test_recording_list_generates_a_recording_from_its_row(organization, owner_client):
    recording = import_sample(organization)
    (_pk, row), *_ = _rows(owner_client.get("/recordings/"))

    form = GENERATE_FORM.search(row).group()
    response = owner_client.post(
        "/workflows/generate/",
        {"recording": re.search(r'name="recording" value="([^"]+)"', form)[1]},
    )

    workflow = Workflow.objects.get(organization=organization)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == workflow.get_absolute_url()
    assert Run.objects.get(workflow=workflow).recording == recording
    assert 'Generate<span class="visually-hidden"> the SOP of “' in form


def test_recording_list_over_the_quota_says_so_and_offers_no_generate(
    organization, owner_client
):
    _use_up_quota(organization)
    recording = _recording(organization, "Over the quota")

    ((pk, row),) = _rows(owner_client.get("/recordings/"))

    assert pk == recording.pk
    assert "None: this month's quota is used (5 of 5; it resets on " in row
    assert '<a href="/settings/plan/">See plans</a>' in row
    assert not GENERATE_FORM.search(row)


def test_recording_list_over_the_quota_leads_a_member_to_the_plans(organization):
    _use_up_quota(organization)
    _recording(organization, "Over the quota")

    ((_pk, row),) = _rows(_client(organization, Role.MEMBER).get("/recordings/"))

    assert '<a href="/upgrade/">See plans</a>' in row


def test_recording_list_shows_a_viewer_everything_but_no_control(organization):
    _use_up_quota(organization)
    _recording(organization, "Over the quota")
    viewer = _client(organization, Role.VIEWER)
    over_quota = viewer.get("/recordings/").text
    usage_free, _owner = factories.organization_with_owner(name="Initech")
    _recording(usage_free, "Waiting")
    free_viewer = _client(usage_free, Role.VIEWER)

    under_quota = free_viewer.get("/recordings/")

    assert under_quota.status_code == HTTPStatus.OK
    assert "None yet." in under_quota.text
    assert 'method="post" action="/workflows/generate/"' not in under_quota.text
    assert "this month's quota is used" in over_quota
    assert "See plans" not in over_quota


@pytest.mark.parametrize(
    ("show", "listed"),
    [
        ("", ["Open", "Waiting", "Documented"]),
        ("without_workflow", ["Open", "Waiting"]),
        ("not_finished", ["Open"]),
    ],
)
def test_recording_list_filters_by_state_and_workflow(
    organization, owner_client, show, listed
):
    documented = _recording(organization, "Documented", RECORDED)
    _with_workflow(documented)
    _recording(organization, "Waiting", RECORDED + timedelta(hours=1))
    _recording(
        organization,
        "Open",
        RECORDED + timedelta(hours=2),
        status=RecordingStatus.RECORDING,
    )

    response = owner_client.get(f"/recordings/?show={show}")

    titles = [re.search(r'/">([^<]*)</a>', row)[1] for _pk, row in _rows(response)]
    assert response.status_code == HTTPStatus.OK
    assert titles == listed
    assert f'<option value="{show}" selected>' in response.text
    assert unlabelled_controls(response.text) == []


def test_recording_list_filter_choices_are_the_filters_it_knows():
    choices = {
        value for value, _label in RecordingFilterForm.base_fields["show"].choices
    }

    assert choices == {"", *RECORDING_FILTERS}


def test_recording_list_says_how_many_a_filter_matches(organization, owner_client):
    _recording(organization, "Waiting")
    _with_workflow(_recording(organization, "Documented"))

    page = owner_client.get("/recordings/?show=without_workflow").text
    none = owner_client.get("/recordings/?show=not_finished").text

    assert "1 recording matches this filter." in page
    assert '<a href="/recordings/">Show all recordings</a>' in page
    assert "0 recordings match this filter." in none
    assert "No recordings yet" not in none


def test_recording_list_refuses_an_unknown_filter_and_lists_nothing(
    organization, owner_client
):
    _recording(organization, "Waiting")

    response = owner_client.get("/recordings/?show=everything")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This filter cannot be used, so no recording is listed:" in response.text
    assert "Select a valid choice." in response.text
    assert _rows(response) == []


def test_recording_list_makes_no_query_per_recording(
    organization, owner_client, django_assert_num_queries
):
    _with_workflow(_recording(organization, "First"), steps=("action",))
    _recording(organization, "Without", RECORDED - timedelta(days=1))
    with CaptureQueriesContext(connection) as two_recordings:
        owner_client.get("/recordings/")
    for n in range(6):
        recording = _recording(organization, f"More {n}", RECORDED + timedelta(days=n))
        if n % 2:
            _with_workflow(recording, steps=("action", "wait"))

    with django_assert_num_queries(len(two_recordings.captured_queries)):
        response = owner_client.get("/recordings/")

    assert len(_rows(response)) == 8


def test_recording_list_empty_tells_an_editor_how_to_record_or_upload(owner_client):
    response = owner_client.get("/recordings/")

    assert response.status_code == HTTPStatus.OK
    assert "<title>Recordings · Ledgerium</title>" in response.text
    assert "No recordings yet" in response.text
    assert '<a href="/extension/">Chrome extension</a>' in response.text
    assert "press “Start recording”" in unescape(response.text)
    assert '<a href="/upload/">upload a recording file</a>' in response.text
    assert 'name="show"' not in response.text


def test_recording_list_empty_tells_a_viewer_who_records(organization):
    page = _client(organization, Role.VIEWER).get("/recordings/").text

    assert "No recordings yet" in page
    assert "Owners, admins and members record incidents" in page
    assert "/upload/" not in page


def test_dashboard_links_to_all_recordings_with_their_count(organization, owner_client):
    for n in range(10):
        _recording(organization, f"Recording {n}")

    page = owner_client.get("/dashboard/").text

    assert '<a href="/recordings/">All recordings (10)</a>' in page


def test_dashboard_without_recordings_has_no_link_to_them(owner_client):
    page = owner_client.get("/dashboard/").text

    assert "All recordings" not in page


def test_recording_list_title_wraps_in_its_cell(organization, owner_client):
    recording = import_sample(organization, network_outage())

    ((_pk, row),) = _rows(owner_client.get("/recordings/"))

    assert f'<td class="user-text"><a href="/recordings/{recording.pk}/">' in row
