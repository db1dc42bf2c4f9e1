"""Search finds imported incidents by the query held between their fields,
through their folded fields' indexes."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.reports.models import Incident
from apps.web import selectors
from apps.web.search import search_terms
from tests.reports.factories import incident_create
from tests.web.test_search import embedded_search
from tests.web.test_search_agents_tickets import _main

pytestmark = pytest.mark.django_db


def _incident(organization, number, **fields):
    incident = incident_create(organization=organization, number=number)
    Incident.objects.filter(pk=incident.pk).update(**fields)
    return incident


def _service_desk(organization, other_organization):
    """Import our two incidents, and one of the other organization's that
    holds what ours hold only between them."""
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
    _incident(
        other_organization,
        "INC0000047",
        assignment_group="Group 9",
        category="Category 26",
        cmdb_ci="cmdb_ci 70",
    )


@pytest.fixture
def incidents(organization, other_organization):
    _service_desk(organization, other_organization)


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


# What our organization finds, by number; the other organization's
# INC0000047, holding "Group 9" in one field, is never among it.
WHOLE_QUERY = [
    ("Group 26", ["INC0000045"]),
    ("31 70", ["INC0000045"]),
    ("9 cmdb_ci", ["INC0000046"]),
    ("Group 9", []),
    ("70 26", ["INC0000045"]),
    # A quoted phrase is held by one field.
    ('"category 26" group', ["INC0000045"]),
    ('"group 26"', []),
    ("31 -70", ["INC0000046"]),
    ("-Group 31", ["INC0000046"]),
    ("31 -cmdbxci -zzzz", ["INC0000046"]),
    ('31 -"category 9"', ["INC0000045"]),
    ('31 -"group 26"', ["INC0000045", "INC0000046"]),
    ("26 or 9 cmdb_ci", ["INC0000045", "INC0000046"]),
    ("70 or zzzz", ["INC0000045"]),
    ("group 9 or zzzz", []),
    # A number is one factor: the others must be held too.
    ("INC0000046 31", ["INC0000046"]),
    ("inc0000045 -cmdbxci", []),
    ("INC0000045 or inc0000046", ["INC0000045", "INC0000046"]),
    ("-INC0000045 category", ["INC0000046"]),
    ("INC0000047", []),
    ("INC0000047 or 26", ["INC0000045"]),
]


def _numbers(main):
    if 'id="found-incidents"' not in main:
        return []
    section = main[main.index('id="found-incidents"') :]
    return re.findall(r'<a href="/incidents/[^/]+/">([^<]+)</a>', section)


@pytest.mark.usefixtures("incidents")
@pytest.mark.parametrize(("query", "found"), WHOLE_QUERY)
def test_search_finds_an_incident_holding_the_whole_query_between_its_fields(
    owner_client, query, found
):
    main = _main(owner_client, query)

    assert _numbers(main) == found


@pytest.mark.usefixtures("incidents")
@pytest.mark.parametrize(
    ("query", "reasons"),
    [
        (
            "Group 26",
            "Assignment group: <mark>Group</mark> 70 · "
            "Category: Category <mark>26</mark></span>",
        ),
        (
            "category reseau",
            "Assignment group: Équipe\n<mark>réseau</mark> · "
            "Category: <mark>Category</mark> 9</span>",
        ),
        (
            "INC0000046 31",
            "Number: <mark>INC0000046</mark> · "
            "Configuration item: cmdb_ci <mark>31</mark></span>",
        ),
        # An excluded word is never marked, nor a field holding nothing.
        ("31 -70", "Resolved · Configuration item: cmdb_ci <mark>31</mark></span>"),
        (
            "zzzz or 9 cmdb",
            "Category: Category <mark>9</mark> · "
            "Configuration item: <mark>cmdb_ci</mark> 31</span>",
        ),
    ],
)
def test_search_says_which_fields_of_an_incident_hold_the_query(
    owner_client, query, reasons
):
    main = _main(owner_client, query)

    section = main[main.index('id="found-incidents"') :]
    assert section.count("<li>") == 1
    assert reasons in section


def test_search_never_finds_another_organizations_incident_by_its_fields(
    organization, other_organization, owner_client
):
    _incident(
        other_organization, "INC0000047", assignment_group="Group 9", category="C 26"
    )
    theirs = Client()
    theirs.force_login(other_organization.memberships.first().user)

    for query in ("Group 26", "9 26", "INC0000047 group", "zzzz or 26 -70"):
        assert 'id="found-incidents"' not in _main(owner_client, query)
        assert "INC0000047</a>" in _main(theirs, query)


@pytest.fixture
def many_incidents(organization):
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


def _plans(organization, query):
    """Return the plan of each query ``_found_incidents`` makes for ``query``."""
    with CaptureQueriesContext(connection) as queries:
        selectors._found_incidents(organization, search_terms(query))
    plans = []
    with connection.cursor() as cursor:
        for sql in [query["sql"] for query in queries]:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row for (row,) in cursor.fetchall()))
    return plans


@pytest.mark.usefixtures("many_incidents")
@pytest.mark.parametrize(
    "query",
    [
        "network",
        "network printer -toner",
        "printer or network -toner",
        "network 7",
        "INC0000045 or network",
    ],
)
def test_incident_search_looks_up_the_fields_and_number_indexes(organization, query):
    (plan,) = _plans(organization, query)

    assert "Bitmap Index Scan on web_search_incident_fields" in plan
    assert "Bitmap Index Scan on web_search_incident_number" in plan


SQLITE_WHOLE_QUERY = """
import json
from apps.web.search import search_terms
from apps.web.selectors import search
from tests.factories import organization_with_owner
from tests.web.test_search_incidents import WHOLE_QUERY, _service_desk

ours, _ = organization_with_owner(name="Ours")
theirs, _ = organization_with_owner(name="Theirs")
_service_desk(ours, theirs)


def found(query):
    rows = search(organization=ours, terms=search_terms(query))["incidents"]
    return [row["number"] for row in rows]


def marked(query):
    (row,) = search(organization=ours, terms=search_terms(query))["incidents"]
    return [
        [str(reason["label"]), [s.text for s in reason["text"] if s.match]]
        for reason in row["reasons"]
    ]


print(json.dumps({
    "found": {query: found(query) for query, _found in WHOLE_QUERY},
    "marked": marked("INC0000046 31 category"),
}))
"""


@pytest.mark.slow
def test_incident_search_on_the_embedded_database_reads_the_whole_query(tmp_path):
    found = embedded_search(tmp_path, SQLITE_WHOLE_QUERY)

    assert found["found"] == dict(WHOLE_QUERY)
    assert found["marked"] == [
        ["Number", ["INC0000046"]],
        ["Category", ["Category"]],
        ["Configuration item", ["31"]],
    ]
