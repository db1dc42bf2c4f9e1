import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports import selectors, views
from apps.reports.forms import SORT_CHOICES
from apps.reports.services import incident_report_build, incidents_import

pytestmark = pytest.mark.django_db

HEADER = (
    "number,incident_state,sys_updated_at,opened_at,assignment_group,priority,"
    "assigned_to,made_sla,category,resolved_at"
)


def _row(number, opened, group, priority, who, sla, category, resolved):
    return [
        f"{number},New,{opened},{opened},{group},{priority},{who},{sla},{category},?",
        f"{number},Resolved,{resolved},{opened},{group},{priority},{who},{sla},"
        f"{category},{resolved}",
    ]


OURS = [
    _row("INC1", "01-03-2016 09:00", "Desk", "1 - Critical", "Ana", "FALSE", "Net",
         "03-03-2016 09:00"),
    _row("INC2", "02-03-2016 09:00", "Desk", "3 - Moderate", "Bo", "TRUE", "Net",
         "02-03-2016 10:00"),
    _row("INC3", "05-03-2016 09:00", "Network", "1 - Critical", "Ana", "FALSE",
         "Mail", "05-03-2016 21:00"),
]  # fmt: skip
THEIRS = [
    _row("INC9", "01-03-2016 09:00", "Secret team", "2 - High", "Zed", "FALSE",
         "Hidden", "01-03-2016 12:00"),
]  # fmt: skip


def _export(rows):
    return "\n".join([HEADER, *(line for pair in rows for line in pair)])


@pytest.fixture
def histories(organization, other_organization):
    incidents_import(organization=organization, text=_export(OURS))
    incidents_import(organization=other_organization, text=_export(THEIRS))
    for org in (organization, other_organization):
        incident_report_build(
            incident_import=selectors.incident_import_latest(organization=org)
        )
    return organization


def _listed(response):
    body = response.content.decode()
    table = body.split('<table class="incident-list">')[1].split("</table>")[0]
    return re.findall(r'<td class="incident-number"><a [^>]*>(INC\d+)</a>', table)


def _get(client, **query):
    return client.get(reverse("incident_history"), query)


def test_filters_narrow_the_list_and_say_how_many_match(owner_client, histories):
    response = _get(owner_client, priority="1 - Critical", assigned_to="Ana")

    assert response.status_code == HTTPStatus.OK
    assert _listed(response) == ["INC1", "INC3"]
    assert "2 incidents match these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({"assignment_group": "Desk"}, ["INC1", "INC2"]),
        ({"sla": "made"}, ["INC2"]),
        ({"sla": "missed"}, ["INC1", "INC3"]),
        ({"state": "Resolved", "opened_from": "2016-03-02"}, ["INC2", "INC3"]),
        ({"opened_to": "2016-03-02"}, ["INC1", "INC2"]),
        ({"opened_from": "2016-03-02", "opened_to": "2016-03-02"}, ["INC2"]),
        ({"sort": "-opened"}, ["INC3", "INC2", "INC1"]),
        ({"sort": "-resolution"}, ["INC1", "INC3", "INC2"]),
        ({"sort": "resolution"}, ["INC2", "INC3", "INC1"]),
        ({"sort": "-handoffs"}, ["INC1", "INC2", "INC3"]),
    ],
)
def test_each_filter_and_sort_lists_what_it_says(
    owner_client, histories, query, numbers
):
    response = _get(owner_client, **query)

    assert response.status_code == HTTPStatus.OK
    assert _listed(response) == numbers


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"priority": "9 - Never"}, "Priority: Select a valid choice. 9 - Never"),
        ({"sla": "maybe"}, "SLA: Select a valid choice. maybe"),
        ({"sort": "caller"}, "Sort by: Select a valid choice. caller"),
        ({"opened_from": "yesterday"}, "Opened from: Enter a valid date."),
        (
            {"opened_from": "2016-03-05", "opened_to": "2016-03-01"},
            "The first day, 2016-03-05, is after the last, 2016-03-01.",
        ),
    ],
)
def test_bad_filters_say_what_is_wrong_and_list_nothing(
    owner_client, histories, query, message
):
    response = _get(owner_client, **query)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert message in body
    assert "These filters cannot be used" in body
    assert '<table class="incident-list">' not in body
    # The rest of the page stays: the figures and the breakdown.
    assert "SLA and resolution time by priority" in body


def test_pages_keep_the_filters(owner_client, histories, monkeypatch):
    monkeypatch.setattr(views, "INCIDENTS_PER_PAGE", 1)

    first = _get(owner_client, priority="1 - Critical", sort="-opened")
    second = _get(owner_client, priority="1 - Critical", sort="-opened", page="2")

    assert _listed(first) == ["INC3"]
    assert (
        'href="?priority=1+-+Critical&amp;sort=-opened&amp;page=2#incidents"'
        in first.content.decode()
    )
    assert _listed(second) == ["INC1"]


def test_list_shows_the_assignee(owner_client, histories):
    body = _get(owner_client).content.decode()

    assert '<td class="incident-plain incident-who">Ana</td>' in body


def test_every_sort_offered_has_an_order():
    assert {key for key, _label in SORT_CHOICES} == set(selectors.INCIDENT_ORDERS)


def test_another_organizations_incidents_stay_out_of_filters_breakdown_and_counts(
    owner_client, histories, other_organization
):
    body = _get(owner_client).content.decode()
    theirs = Client()
    theirs.force_login(other_organization.memberships.get(role="owner").user)
    their_body = _get(theirs).content.decode()

    for value in ("Secret team", "Zed", "Hidden", "2 - High", "INC9"):
        assert value not in body
    assert "3 incidents." in body and "<dd>3</dd>" in body
    assert "1 incident." in their_body
    for value in ("Desk", "Ana", "Net", "INC1"):
        assert value not in their_body
    # Asking for the other organization's values is refused, not answered.
    refused = _get(owner_client, assignment_group="Secret team")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert _get(owner_client, assigned_to="Zed").status_code == HTTPStatus.BAD_REQUEST


def test_summary_breakdown_counts_only_the_organizations_incidents(
    histories, other_organization
):
    ours = selectors.incident_summary(organization=histories)["breakdown"]
    theirs = selectors.incident_summary(organization=other_organization)["breakdown"]

    assert [
        (r["value"], r["incidents"], r["missed_sla"]) for r in ours["priority"]
    ] == [
        ("1 - Critical", 2, 2),
        ("3 - Moderate", 1, 0),
    ]
    assert [r["value"] for r in ours["assignment_group"]] == ["Desk", "Network"]
    assert [r["value"] for r in theirs["assignment_group"]] == ["Secret team"]


def test_history_page_shows_the_breakdown_with_medians_first(owner_client, histories):
    body = _get(owner_client).content.decode()

    figures = body.split('<dl class="summary figures">')[1].split("</dl>")[0]
    assert "Median resolution time" in figures and "90% resolved within" in figures
    assert "Mean" not in figures
    assert "Mean resolution time:" in body
    # Both critical incidents missed their SLA.
    assert "2 (100%)" in body
