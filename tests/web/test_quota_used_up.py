"""A recording uploaded after this month's workflows are used up."""

from html import unescape
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils.formats import date_format

from apps.accounts.models import Role
from apps.accounts.selectors import usage_current
from apps.accounts.services import usage_reserve_workflow
from apps.recordings.models import Recording
from apps.workflows.models import Workflow
from apps.workflows.services import workflow_generate
from tests import factories
from tests.sharing.helpers import SAMPLE
from tests.web.test_unrecognised_systems import _local_recording

pytestmark = pytest.mark.django_db


def _use_up_quota(organization):
    for _ in range(5):
        usage_reserve_workflow(organization=organization)


def _resets(organization):
    return date_format(usage_current(organization=organization)[2], "DATE_FORMAT")


def test_upload_over_the_quota_says_no_workflow_was_made(
    organization, owner_client, django_capture_on_commit_callbacks
):
    _use_up_quota(organization)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    page = unescape(owner_client.get(response["Location"]).content.decode())

    assert response.status_code == HTTPStatus.FOUND
    assert not Workflow.objects.filter(organization=organization).exists()
    assert (
        '<li class="message warning">Recording “Berlin office lost network '
        "access” is stored, but no workflow was made from it: this month's quota "
        f"is used (5 of 5; it resets on {_resets(organization)}). Generate it from "
        'this page after the reset or an upgrade. <a href="/settings/plan/">'
        "See plans</a></li>" in page
    )
    assert "” imported." not in page


def test_upload_over_the_quota_leads_a_member_to_the_plans(organization):
    _use_up_quota(organization)
    client = Client()
    client.force_login(factories.member_add(organization=organization))

    page = client.post("/upload/", {"file": SAMPLE.open("rb")}, follow=True)

    assert '. <a href="/upgrade/">See plans</a></li>' in page.content.decode()


def test_recording_page_over_the_quota_explains_instead_of_generating(
    organization, owner_client
):
    _use_up_quota(organization)
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.get(organization=organization)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert (
        "No workflow was made from this recording: this month's quota is used "
        f"(5 of 5; it resets on {_resets(organization)})." in page
    )
    assert '<a href="/settings/plan/">See plans</a>' in page
    assert "Generate the SOP" not in page
    assert "counts against this month's quota" not in page


def test_recording_page_over_the_quota_offers_only_another_run(
    organization, owner_client
):
    first = _local_recording(organization)
    workflow = workflow_generate(
        organization=organization, recording=first, enqueue=False
    )
    for _ in range(4):
        usage_reserve_workflow(organization=organization)
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.exclude(pk=first.pk).get(organization=organization)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert "this month's quota is used (5 of 5;" in page
    assert "Generate the SOP" in page
    assert f'<option value="{workflow.pk}">Another run of' in page
    assert "A new workflow (counts against this month's quota)" not in page


def test_recording_page_under_the_quota_offers_a_new_workflow(
    organization, owner_client
):
    first = _local_recording(organization)
    workflow_generate(organization=organization, recording=first, enqueue=False)
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.exclude(pk=first.pk).get(organization=organization)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert "A new workflow (counts against this month's quota)" in page
    assert "data-quota-full" not in page


def test_systems_notice_without_a_workflow_says_to_name_them_first(
    organization, owner_client
):
    recording = _local_recording(organization)
    viewer = Client()
    viewer.force_login(
        factories.member_add(organization=organization, role=Role.VIEWER)
    )

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()
    seen = viewer.get(f"/recordings/{recording.pk}/").content.decode()

    assert "name them before you generate the workflow" in page
    assert "generate the workflow again" not in page
    assert "Settings → Systems before the workflow is generated." in seen
    assert "generate the workflow again" not in seen
