"""The import refuses values its columns cannot hold, naming the line and column."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.reports.models import Incident, IncidentUpdate
from tests.reports.factories import incident_create

pytestmark = pytest.mark.django_db

HEADER = (
    "number,incident_state,sys_updated_at,opened_at,assignment_group,priority,"
    "reassignment_count,sys_mod_count,u_symptom"
)
GOOD = {
    "number": "INC1",
    "incident_state": "New",
    "sys_updated_at": "01-03-2016 09:00",
    "opened_at": "01-03-2016 09:00",
    "assignment_group": "Group 1",
    "priority": "3 - Moderate",
    "reassignment_count": "0",
    "sys_mod_count": "1",
    "u_symptom": "Symptom 1",
}


def _import(client, **values):
    row = ",".join({**GOOD, **values}[column] for column in HEADER.split(","))
    upload = SimpleUploadedFile(
        "export.csv", f"{HEADER}\n{row}\n".encode(), content_type="text/csv"
    )
    response = client.post(reverse("incident_import"), {"file": upload})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"number": "I" * 65}, "number is 65 characters long; at most 64 fit."),
        (
            {"assignment_group": "G" * 121},
            "assignment_group is 121 characters long; at most 120 fit.",
        ),
        (
            {"u_symptom": "S" * 121},
            "u_symptom is 121 characters long; at most 120 fit.",
        ),
        (
            {"reassignment_count": "-1"},
            "reassignment_count is -1, not a whole number from 0 to 2147483647.",
        ),
        (
            {"sys_mod_count": "99999999999"},
            "sys_mod_count is 99999999999, not a whole number from 0 to 2147483647.",
        ),
        (
            {"sys_updated_at": "01-01-0001 00:00"},
            "sys_updated_at is '01-01-0001 00:00', not a date from 1970 to 2100.",
        ),
        (
            {"sys_updated_at": "31-12-9999 23:59"},
            "sys_updated_at is '31-12-9999 23:59', not a date from 1970 to 2100.",
        ),
        (
            {"opened_at": "31-12-1969 23:59"},
            "opened_at is '31-12-1969 23:59', not a date from 1970 to 2100.",
        ),
        (
            {"opened_at": "01-01-2101 00:00"},
            "opened_at is '01-01-2101 00:00', not a date from 1970 to 2100.",
        ),
    ],
)
def test_import_refuses_what_a_column_cannot_hold(
    owner_client, organization, values, problem
):
    kept = incident_create(organization=organization, number="INC0")

    response, shown = _import(owner_client, **values)

    assert response.status_code == HTTPStatus.FOUND
    assert shown == [f"The incident export cannot be read: Line 2: {problem}"]
    incidents = Incident.objects.for_organization(organization)
    assert list(incidents.values_list("number", flat=True)) == [kept.number]
    assert kept.updates.count() == 3


def test_import_drops_nul_and_control_characters(owner_client, organization):
    response, shown = _import(
        owner_client, number="INC\x001", assignment_group="Gr\x00oup\x1b 1"
    )

    assert response.status_code == HTTPStatus.FOUND
    assert shown[0].startswith("Imported 1 incident from 1 row:")
    update = IncidentUpdate.objects.for_organization(organization).get()
    assert (update.incident.number, update.assignment_group) == ("INC1", "Group 1")
