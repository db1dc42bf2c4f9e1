import importlib
from http import HTTPStatus

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.reports.models import Incident
from apps.reports.services import incidents_import
from tests.web.html import CELL

pytestmark = pytest.mark.django_db

HEADER = "number,incident_state,sys_updated_at,opened_at,assignment_group,priority,"
HEADER += "assigned_to"
EXPORT = "\n".join(
    [
        HEADER,
        "INC1,New,01-03-2016 09:00,01-03-2016 09:00,Group A,3 - Moderate,?",
        "INC1,Active,01-03-2016 10:00,01-03-2016 09:00,Group A,3 - Moderate,Ana",
        "INC1,Active,01-03-2016 11:00,01-03-2016 09:00,Group B,3 - Moderate,Bo",
        # The last update names nobody: the incident stays with Bo.
        "INC1,Resolved,01-03-2016 12:00,01-03-2016 09:00,Group B,3 - Moderate,?",
        "INC2,New,02-03-2016 09:00,02-03-2016 09:00,Group A,4 - Low,?",
    ]
)


def _assignees(organization):
    return dict(
        Incident.objects.for_organization(organization).values_list(
            "number", "assigned_to"
        )
    )


def test_import_keeps_the_last_assignee_an_update_named(organization):
    incidents_import(organization=organization, text=EXPORT)

    assert _assignees(organization) == {"INC1": "Bo", "INC2": ""}


def test_import_names_no_assignee_of_an_earlier_group(organization):
    # Handed to Group B and then to Group C, which named nobody: Bo was Group
    # B's assignee, so the incident, now Group C's, has none.
    handed_on = EXPORT.replace(
        "INC1,Resolved,01-03-2016 12:00,01-03-2016 09:00,Group B",
        "INC1,Resolved,01-03-2016 12:00,01-03-2016 09:00,Group C",
    )

    incidents_import(organization=organization, text=handed_on)

    assert _assignees(organization) == {"INC1": "", "INC2": ""}


def test_import_again_takes_the_new_assignee(organization):
    incidents_import(organization=organization, text=EXPORT)
    moved = EXPORT.replace("Group B,3 - Moderate,?", "Group B,3 - Moderate,Cy")

    incidents_import(organization=organization, text=moved)

    assert _assignees(organization)["INC1"] == "Cy"


def test_migration_backfills_assignees_from_the_updates(
    organization, other_organization
):
    incidents_import(organization=organization, text=EXPORT)
    incidents_import(organization=other_organization, text=EXPORT.replace(",Bo", ",Di"))
    Incident.objects.update(assigned_to="")
    migration = importlib.import_module(
        "apps.reports.migrations.0003_incident_assigned_to"
    )

    migration.assignees_backfill(django_apps, None)

    assert _assignees(organization) == {"INC1": "Bo", "INC2": ""}
    assert _assignees(other_organization) == {"INC1": "Di", "INC2": ""}


def test_migration_names_no_assignee_of_an_earlier_group(organization):
    incidents_import(
        organization=organization,
        text=EXPORT.replace(
            "12:00,01-03-2016 09:00,Group B", "12:00,01-03-2016 09:00,Group C"
        ),
    )
    Incident.objects.update(assigned_to="stale")
    migration = importlib.import_module(
        "apps.reports.migrations.0003_incident_assigned_to"
    )

    migration.assignees_backfill(django_apps, None)

    assert _assignees(organization) == {"INC1": "", "INC2": ""}


def test_incident_page_names_the_assignee_and_each_updates(owner_client, organization):
    incidents_import(organization=organization, text=EXPORT)

    response = owner_client.get(reverse("incident_detail", args=["INC1"]))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<dt>Assignee</dt><dd>Bo</dd>" in body
    assert '<th scope="col">Assignee</th>' in body
    assert f"<td{CELL}>Group A</td><td{CELL}>Ana</td>" in body
    assert f"<td{CELL}>Group B</td><td{CELL}>–</td>" in body
