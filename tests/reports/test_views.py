from http import HTTPStatus

import pytest
from django.urls import reverse

from tests import factories
from tests.reports.factories import incident_create


@pytest.fixture
def history(organization):
    first = incident_create(organization=organization, number="INC0000001")
    incident_create(
        organization=organization,
        number="INC0000002",
        rows=[
            ("New", "02-03-2016 09:00", "Group 1", "2 - High"),
            ("Active", "02-03-2016 09:30", "Group 3", "2 - High"),
            ("Resolved", "02-03-2016 11:00", "Group 3", "2 - High"),
        ],
    )
    return first


def test_incident_history_page_shows_charts_and_figures(owner_client, history):
    response = owner_client.get(reverse("incident_history"))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<svg" in body and "Median wait after each handoff" in body
    assert "Group 1 → Group 2" in body
    assert "INC0000002" in body
    assert (
        "<script" not in body.split('<section class="report"')[1].split("</section>")[0]
    )


def test_incident_detail_suggests_from_similar_incidents(owner_client, history):
    response = owner_client.get(reverse("incident_detail", args=["INC0000001"]))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    # The other incident shares category, subcategory and symptom: 1 + 2 + 2.
    assert "Suggested priority: 2 - High" in body
    assert "Suggested group: Group 3" in body
    assert "<td>5</td><td>symptom, subcategory, category</td>" in body


def test_incident_detail_of_another_organization_is_404(
    client, history, other_organization
):
    member = factories.user_create()
    other_organization.memberships.create(user=member, role="owner")
    client.force_login(member)

    response = client.get(reverse("incident_detail", args=["INC0000001"]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_incident_history_pdf_is_a_pdf(owner_client, history):
    response = owner_client.get(reverse("incident_history_pdf"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_incident_history_csv_has_a_row_per_step(owner_client, history):
    response = owner_client.get(reverse("incident_history_csv"))

    lines = response.content.decode().splitlines()
    assert lines[0].startswith("run_id,agent,index,key,label")
    # Each incident: two group decisions, one priority decision, three states.
    assert len(lines) == 1 + 2 * 6
    assert "INC0000001,Group 2,1,decision:priority,Priority: 3 - Moderate" in lines[2]


def test_incident_history_xes_and_json_download(owner_client, history):
    xes = owner_client.get(reverse("incident_history_xes"))
    report = owner_client.get(reverse("incident_history_json")).json()

    assert xes.content.count(b"<trace>") == 2
    assert len(report["runs"]) == 2


def test_incident_history_needs_a_login(client, history):
    response = client.get(reverse("incident_history"))

    assert response.status_code == HTTPStatus.FOUND
