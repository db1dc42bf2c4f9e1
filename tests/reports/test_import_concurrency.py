"""Imports of one organization take turns, each on its own connection."""

import logging
import threading
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from apps.reports import services
from apps.reports.models import Incident, IncidentImport, IncidentUpdate
from tests.reports.factories import HEADER, incident_rows

INCIDENTS = 500
BUSY = (
    "The incidents could not be imported now: the database is busy, maybe with "
    "another import. Nothing was imported; try again in a minute."
)


def _export(count):
    rows = [("New", "01-03-2016 09:00", "Group 1", "3 - Moderate")]
    lines = [line for n in range(count) for line in incident_rows(f"INC{n}", rows)]
    return "\n".join([HEADER, *lines])


def _in_threads(work, count):
    """Run ``work`` on ``count`` threads at once; return results and errors."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=30)
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_import_twice_at_once_imports_the_second_after_the_first(organization):
    text = _export(INCIDENTS)

    results, errors = _in_threads(
        lambda: services.incidents_import(organization=organization, text=text), 2
    )

    assert errors == []
    assert sorted(results) == [(0, INCIDENTS, INCIDENTS), (INCIDENTS, 0, INCIDENTS)]
    imports = IncidentImport.objects.for_organization(organization)
    assert sorted(imports.values_list("number", flat=True)) == [1, 2]
    assert Incident.objects.for_organization(organization).count() == INCIDENTS
    updates = IncidentUpdate.objects.for_organization(organization)
    assert updates.count() == INCIDENTS


@pytest.mark.django_db(transaction=True)
def test_import_runs_while_another_organization_imports(
    organization, other_organization, monkeypatch
):
    monkeypatch.setattr(services, "IMPORT_LOCK_WAIT_SECONDS", 0.2)

    with transaction.atomic():
        # Held here as by an import under way, on this test's connection.
        services._imports_lock(organization)
        results, errors = _in_threads(
            lambda: services.incidents_import(
                organization=other_organization, text=_export(3)
            ),
            1,
        )

    assert errors == []
    assert results == [(3, 0, 3)]


@pytest.mark.django_db(transaction=True)
def test_import_page_says_the_database_is_busy_when_an_import_waits_too_long(
    owner_client, organization, monkeypatch, caplog
):
    monkeypatch.setattr(services, "IMPORT_LOCK_WAIT_SECONDS", 0.2)
    upload = SimpleUploadedFile(
        "export.csv", _export(3).encode(), content_type="text/csv"
    )
    caplog.set_level(logging.WARNING, logger="apps.reports.services")

    with transaction.atomic():
        # Held here as by an import under way, on this test's connection.
        services._imports_lock(organization)
        results, errors = _in_threads(
            lambda: owner_client.post(reverse("incident_import"), {"file": upload}),
            1,
        )

    assert errors == []
    (response,) = results
    assert response.status_code == HTTPStatus.FOUND
    assert [str(m) for m in get_messages(response.wsgi_request)] == [BUSY]
    assert not Incident.objects.for_organization(organization).exists()
    assert not IncidentImport.objects.for_organization(organization).exists()
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "Importing incidents failed on the database: canceling statement due to "
        "lock timeout"
    )
    assert record.organization_id == organization.id
