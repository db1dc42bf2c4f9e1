"""Search finds imported incidents through their folded fields' indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.reports.models import Incident
from apps.web import selectors
from apps.web.search import search_terms
from tests.reports.factories import incident_create
from tests.web.test_search_agents_tickets import _main

pytestmark = pytest.mark.django_db


def _incident(organization, number, **fields):
    incident = incident_create(organization=organization, number=number)
    Incident.objects.filter(pk=incident.pk).update(**fields)
    return incident


@pytest.fixture
def incidents(organization):
    _incident(
        organization,
        "INC0000045",
        assignment_group="Group 70",
        category="Category 26",
        cmdb_ci="cmdbXci 31",
    )
    _incident(
        organization,
        "INC0000046",
        assignment_group="Équipe\nréseau",
        category="Category 9",
        cmdb_ci="cmdb_ci 31",
    )


@pytest.mark.usefixtures("incidents")
@pytest.mark.parametrize(
    ("query", "found"),
    [
        (
            "70 group",
            ["INC0000045", "Assignment group: <mark>Group</mark> <mark>70</mark>"],
        ),
        (
            "category 26",
            ["INC0000045", "Category: <mark>Category</mark> <mark>26</mark>"],
        ),
        # A line break in a field keeps the fields after it on their lines.
        (
            "category 9",
            ["INC0000046", "Category: <mark>Category</mark> <mark>9</mark>"],
        ),
        ("equipe RESEAU", ["INC0000046", "<mark>Équipe</mark>\n<mark>réseau</mark>"]),
        (
            "cmdb_ci 31",
            ["INC0000046", "Configuration item: <mark>cmdb_ci</mark> <mark>31</mark>"],
        ),
    ],
)
def test_search_finds_an_incident_by_every_word_in_one_field(
    owner_client, query, found
):
    main = _main(owner_client, query)

    number, reason = found
    section = main[main.index('id="found-incidents"') :]
    assert section.count("<li>") == 1
    assert f'<a href="/incidents/{number}/">{number}</a>' in section
    assert reason in section


@pytest.mark.usefixtures("incidents")
@pytest.mark.parametrize("query", ["Group 26", "category reseau", "31 70"])
def test_search_never_finds_an_incident_by_words_in_two_fields(owner_client, query):
    main = _main(owner_client, query)

    assert 'id="found-incidents"' not in main


def test_incident_search_looks_up_the_fields_and_number_indexes(organization):
    opened = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            organization=organization,
            number=f"INC{n:07d}",
            state="Closed",
            opened_at=opened,
            last_update_at=opened,
            assignment_group=f"Group {n % 60}",
            category=f"Category {n % 30}",
        )
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        # As autovacuum would: merge the index's pending entries, count rows.
        cursor.execute("SELECT gin_clean_pending_list('web_search_incident_fields')")
        cursor.execute("ANALYZE reports_incident")
    with CaptureQueriesContext(connection) as queries:
        selectors._found_incidents(organization, search_terms("network"))
    (sql,) = [q["sql"] for q in queries if "web_search_fields" in q["sql"]]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row for (row,) in cursor.fetchall())

    assert "Bitmap Index Scan on web_search_incident_fields" in plan
    assert "Bitmap Index Scan on web_search_incident_number" in plan
