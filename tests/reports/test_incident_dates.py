"""Imported dates stay within 1970 to 2100, and pages survive those outside."""

from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.reports import selectors
from apps.reports.models import Incident, IncidentUpdate
from apps.reports.services import incident_report_build
from apps.web.selectors import incident_history_overview
from tests.reports.factories import HEADER, incident_create, incident_rows

pytestmark = pytest.mark.django_db

STALLED = "<dt>Stalled incidents</dt><dd>0</dd>"


def _upload(client, rows):
    text = "\n".join([HEADER, *incident_rows("INC1", rows)])
    upload = SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("incident_import"), {"file": upload})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def _rows(first, last):
    return [
        ("New", first, "Group 1", "3 - Moderate"),
        ("Active", last, "Group 1", "3 - Moderate"),
    ]


def test_import_takes_the_first_and_last_minute_of_the_window(
    owner_client, organization
):
    response, shown = _upload(
        owner_client, _rows("01-01-1970 00:00", "31-12-2100 23:59")
    )

    assert response.status_code == HTTPStatus.FOUND
    assert shown[0].startswith("Imported 1 incident from 2 rows:")
    incident = Incident.objects.for_organization(organization).get()
    assert incident.opened_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert incident.last_update_at == datetime(2100, 12, 31, 23, 59, tzinfo=UTC)


@pytest.fixture
def centuries_apart(organization):
    """Two open incidents updated in year 1 and year 9999.

    Such a history was stored before the import refused its dates; the rows
    are rewritten here to stand for it.
    """
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    for number in ("INC1", "INC2"):
        incident_create(
            organization=organization,
            number=number,
            rows=_rows("01-03-2016 09:00", "01-03-2016 10:00"),
        )
    incidents = Incident.objects.for_organization(organization)
    incidents.update(opened_at=first, last_update_at=last)
    updates = IncidentUpdate.objects.for_organization(organization)
    updates.filter(sequence=0).update(updated_at=first)
    updates.filter(sequence=1).update(updated_at=last)
    return incident_report_build(
        incident_import=selectors.incident_import_latest(organization=organization)
    )


def test_dashboard_counts_no_stalled_incident_in_a_history_centuries_long(
    owner_client, organization, centuries_apart
):
    response = owner_client.get(reverse("dashboard"))

    assert response.status_code == HTTPStatus.OK
    assert STALLED in response.content.decode()
    overview = incident_history_overview(organization=organization)
    assert overview["stalled"] == 0


def test_history_pages_answer_for_a_history_centuries_long(
    owner_client, centuries_apart
):
    pages = [
        reverse("incident_history"),
        reverse("incident_detail", args=["INC1"]),
    ]

    for page in pages:
        assert owner_client.get(page).status_code == HTTPStatus.OK


def test_stalled_count_holds_a_cutoff_before_year_one(organization, centuries_apart):
    count = selectors.incident_stalled_count(
        organization=organization,
        typical_gap_ms=selectors.LATEST_MS,
        now_ms=0,
    )

    assert count == 0


def test_stalled_count_holds_a_cutoff_after_year_9999(organization, centuries_apart):
    count = selectors.incident_stalled_count(
        organization=organization,
        typical_gap_ms=1,
        now_ms=2 * selectors.LATEST_MS,
    )

    assert count == 2
