import time
from http import HTTPStatus

import orjson
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reports import selectors
from apps.reports.models import IncidentImport
from apps.reports.report import REPORT_VERSION
from apps.reports.services import incident_report_build, incidents_import
from tests.reports.factories import incident_create
from tests.reports.test_history import _export_text

pytestmark = pytest.mark.django_db


def _latest(organization):
    return selectors.incident_import_latest(organization=organization)


def _build(organization):
    return incident_report_build(incident_import=_latest(organization))


def _client_of(organization):
    client = Client()
    client.force_login(organization.memberships.get(role="owner").user)
    return client


@pytest.fixture
def imported(organization):
    incidents_import(organization=organization, text=_export_text())
    return organization


def test_import_records_an_import_waiting_for_its_report(imported):
    record = _latest(imported)

    assert (record.number, record.incidents, record.rows) == (1, 650, 4453)
    assert record.state == IncidentImport.State.QUEUED and record.report == ""


def test_stored_report_equals_a_fresh_build(imported):
    _build(imported)

    record = selectors.incident_import_reported(organization=imported, with_report=True)
    fresh = selectors.incident_report(organization=imported)
    assert record.state == IncidentImport.State.READY and record.progress == 100
    assert record.report == fresh.to_json().decode()
    assert selectors.stored_report(record).to_json() == fresh.to_json()
    assert record.summary == selectors.incident_summary(organization=imported)


def test_building_the_same_import_again_keeps_its_report(imported):
    first = _build(imported)

    again = incident_report_build(incident_import=first)

    assert (again.report, again.built_at) == (first.report, first.built_at)


def _page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("incident_history"))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode(), [query["sql"] for query in queries]


def test_history_page_serves_the_stored_report_without_rebuilding(
    imported, owner_client
):
    record = _build(imported)

    first, first_queries = _page_queries(owner_client)
    second, second_queries = _page_queries(owner_client)

    # Building reads every stored update; serving reads none, nor the JSON.
    assert not [sql for sql in first_queries if "reports_incidentupdate" in sql]
    assert not [
        sql for sql in first_queries if '"reports_incidentimport"."report",' in sql
    ]
    assert len(second_queries) == len(first_queries)
    assert "Median hand-off wait" in second
    assert "<dd>650</dd>" in second
    record.refresh_from_db()
    assert record.built_at == _latest(imported).built_at


def test_history_page_shows_progress_while_the_report_builds(imported, owner_client):
    IncidentImport.objects.filter(pk=_latest(imported).pk).update(
        state=IncidentImport.State.RUNNING, progress=50
    )

    page = owner_client.get(reverse("incident_history")).content.decode()

    assert '<meta http-equiv="refresh" content="5">' in page
    assert 'max="100" value="50"' in page
    assert "Building the report of import 1…" in page
    assert "Median hand-off wait" not in page


def test_report_downloads_wait_for_the_stored_report(imported, owner_client):
    response = owner_client.get(reverse("incident_history_json"))

    assert response.status_code == HTTPStatus.CONFLICT
    assert b"The incident history report is not built yet." in response.content


def test_new_import_is_reported_once_built(organization, owner_client):
    incident_create(organization=organization, number="INC0000001")
    _build(organization)
    incident_create(organization=organization, number="INC0000002")

    waiting = owner_client.get(reverse("incident_history")).content.decode()
    old = owner_client.get(reverse("incident_history_json")).json()
    record = _build(organization)
    new = owner_client.get(reverse("incident_history_json")).json()

    assert "Below is the report of import 1 until then." in waiting
    assert [run["run_id"] for run in old["runs"]] == ["INC0000001"]
    assert record.number == 2
    assert [run["run_id"] for run in new["runs"]] == ["INC0000001", "INC0000002"]
    first = IncidentImport.objects.for_organization(organization).get(number=1)
    assert (first.state, first.report) == (IncidentImport.State.SUPERSEDED, "")


def test_an_older_import_is_superseded_by_a_newer_one(organization):
    incident_create(organization=organization, number="INC0000001")
    older = _latest(organization)
    incident_create(organization=organization, number="INC0000002")

    older = incident_report_build(incident_import=older)
    newer = _build(organization)

    assert (older.state, older.report) == (IncidentImport.State.SUPERSEDED, "")
    assert newer.state == IncidentImport.State.READY


def test_stored_reports_hold_only_their_own_organizations_incidents(
    organization, other_organization
):
    incident_create(organization=organization, number="INC0000001")
    incident_create(organization=other_organization, number="INC0000777")
    incident_create(organization=other_organization, number="INC0000778")

    ours = _client_of(organization)
    before = ours.get(reverse("incident_history_json"))
    _build(organization)
    _build(other_organization)
    mine = ours.get(reverse("incident_history_json")).json()
    theirs = _client_of(other_organization).get(reverse("incident_history_json"))
    page = ours.get(reverse("incident_history")).content.decode()

    assert before.status_code == HTTPStatus.CONFLICT
    assert [run["run_id"] for run in mine["runs"]] == ["INC0000001"]
    assert [run["run_id"] for run in theirs.json()["runs"]] == [
        "INC0000777",
        "INC0000778",
    ]
    assert "INC000077" not in page
    # Each organization counts its own imports.
    assert (_latest(organization).number, _latest(other_organization).number) == (
        1,
        2,
    )


def _wait_ready(organization):
    record = _latest(organization)
    deadline = time.monotonic() + 120
    while record.state != IncidentImport.State.READY and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    return record


@pytest.mark.worker
def test_worker_builds_the_report_after_an_import(transactional_db, celery_worker):
    from tests import factories

    organization, _owner = factories.organization_with_owner(name="Worker Org")
    incident_create(organization=organization, number="INC0000001")

    record = _wait_ready(organization)

    fresh = selectors.incident_report(organization=organization)
    assert record.state == IncidentImport.State.READY
    assert orjson.loads(record.report) == orjson.loads(fresh.to_json())


def test_a_report_of_an_older_version_is_served_while_it_is_built_again(
    imported, owner_client, django_capture_on_commit_callbacks
):
    record = _build(imported)
    IncidentImport.objects.filter(pk=record.pk).update(report_version=1)

    with django_capture_on_commit_callbacks() as queued:
        page, _queries = _page_queries(owner_client)
        _page_queries(owner_client)

    assert "Median hand-off wait" in page
    assert len(queued) == 1
    stale = _latest(imported)
    rebuilt = incident_report_build(incident_import=stale)
    assert rebuilt.state == IncidentImport.State.READY
    assert rebuilt.report_version == REPORT_VERSION
    assert rebuilt.built_at > record.built_at


@pytest.mark.worker
def test_worker_rebuilds_a_report_of_an_older_version(transactional_db, celery_worker):
    from django.core.cache import cache

    from tests import factories

    cache.clear()
    organization, owner = factories.organization_with_owner(name="Stale Org")
    incident_create(organization=organization, number="INC0000002")
    record = _wait_ready(organization)
    IncidentImport.objects.filter(pk=record.pk).update(report_version=1)

    client = Client()
    client.force_login(owner)
    assert client.get(reverse("incident_history")).status_code == HTTPStatus.OK

    deadline = time.monotonic() + 120
    while record.report_version != REPORT_VERSION and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert record.report_version == REPORT_VERSION
    assert record.state == IncidentImport.State.READY
