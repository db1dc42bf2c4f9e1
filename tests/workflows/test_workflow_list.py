"""The workflows list says how many runs each workflow has, in one query."""

import uuid
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.timezone import localtime
from msgspec.structs import replace

from apps.workflows import selectors, services
from apps.workflows.models import SopVersion, Workflow
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_sample, import_sample

pytestmark = pytest.mark.django_db


def _recording(organization):
    return import_sample(
        organization, replace(rf.network_outage(), id=str(uuid.uuid4()))
    )


def _generated(organization, workflow=None):
    return services.workflow_generate(
        organization=organization,
        recording=_recording(organization),
        workflow=workflow,
        enqueue=False,
    )


def test_workflow_list_counts_each_workflows_runs(organization, other_organization):
    twice = _generated(organization)
    _generated(organization, twice)
    once = _generated(organization)
    _generated(other_organization, None)

    counts = {
        w.pk: w.run_count for w in selectors.workflow_list(organization=organization)
    }

    assert counts == {twice.pk: 2, once.pk: 1}


def test_workflow_list_page_makes_no_query_per_workflow(
    organization, owner_client, django_assert_num_queries
):
    first = _generated(organization)
    with CaptureQueriesContext(connection) as one_workflow:
        owner_client.get("/workflows/")
    _generated(organization, first)
    for _n in range(3):
        _generated(organization)

    with django_assert_num_queries(len(one_workflow.captured_queries)):
        response = owner_client.get("/workflows/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.count("<td>1 run</td>") == 3
    assert page.count("<td>2 runs</td>") == 1


def test_workflow_list_shows_when_the_current_version_was_made(
    organization, owner_client
):
    workflow = build_sample(organization, _recording(organization))
    made = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)
    Workflow.objects.filter(pk=workflow.pk).update(
        updated_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    )
    SopVersion.objects.filter(pk=workflow.current_version_id).update(created_at=made)

    page = owner_client.get("/workflows/").content.decode()

    assert f"<td>{date_format(localtime(made), 'DATETIME_FORMAT')}</td>" in page
    assert "Jan. 2, 2026" not in page
