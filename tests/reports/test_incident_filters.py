import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports import selectors, views
from apps.reports.forms import SORT_CHOICES
from apps.reports.services import incident_report_build, incidents_import
from tests import factories

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


def _imported(organization, rows):
    """Import ``rows`` into ``organization`` and build its report, as the task does."""
    incidents_import(organization=organization, text=_export(rows))
    incident_report_build(
        incident_import=selectors.incident_import_latest(organization=organization)
    )


@pytest.fixture
def histories(organization, other_organization):
    _imported(organization, OURS)
    _imported(other_organization, THEIRS)
    return organization


def _listed(response):
    body = response.content.decode()
    table = body.split('<table class="incident-list">')[1].split("</table>")[0]
    return re.findall(r'<td class="incident-number"[^>]*><a [^>]*>(INC\d+)</a>', table)


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
        ({"category": "Mail"}, ["INC3"]),
        ({"category": "Net", "priority": "1 - Critical"}, ["INC1"]),
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

    assert (
        '<td class="incident-plain incident-who user-text" data-unlabelled>Ana</td>'
        in body
    )


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
    assert _get(owner_client, category="Hidden").status_code == HTTPStatus.BAD_REQUEST


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
    assert (
        "Median resolution time (opened to resolved)" in figures
        and "90% resolved within (from opened)" in figures
    )
    assert "Mean" not in figures
    assert "Mean resolution time (opened to resolved):" in body
    # Both critical incidents missed their SLA.
    assert "2 (100%)" in body


@pytest.mark.parametrize(
    "query",
    [
        "state=%00",
        "priority=1+-+Critical%00",
        "sort=-opened%00",
        "sla=" + "x" * 100_000,
        "assigned_to=%FF%FE",
        "assignment_group=" + "%E2%98%83" * 3000,
        "opened_from=2016-02-30",
        "opened_from=0000-01-01",
        "opened_from=%00",
        "opened_from=" + "1" * 5000,
        "opened_from=2016-13-01&opened_to=2016-01-32",
        "page=%00",
        "page=" + "9" * 5000,
    ],
)
def test_malformed_filters_are_refused_or_ignored_never_a_server_error(
    owner_client, histories, query
):
    response = owner_client.get(f"{reverse('incident_history')}?{query}")

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert "SLA and resolution time by priority" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"sort": ["-opened", "opened"]},
        {"sla": ["missed", "made"]},
        {"opened_from": ["2016-03-05", "2016-03-02"]},
    ],
)
def test_a_repeated_filter_takes_its_last_value(owner_client, histories, query):
    last = {name: values[-1] for name, values in query.items()}

    assert _listed(_get(owner_client, **query)) == _listed(_get(owner_client, **last))


def _incidents(count):
    return [
        _row(f"INC{n:05d}", f"{1 + n % 28:02d}-03-2016 09:00", f"Group {n % 7}",
             f"{1 + n % 4} - P", f"Agent {n % 11}", "TRUE" if n % 3 else "FALSE",
             f"Cat {n % 5}", f"{1 + n % 28:02d}-03-2016 {10 + n % 9:02d}:00")
        for n in range(count)
    ]  # fmt: skip


QUERIES = [
    {},
    {"assignment_group": "Group 1", "sort": "-handoffs"},
    {"sla": "missed", "sort": "-resolution", "page": "2"},
]


def _queries(client, django_assert_max_num_queries, owner):
    client.force_login(owner)
    counts = []
    for query in QUERIES:
        with django_assert_max_num_queries(25) as captured:
            response = _get(client, **query)
        assert response.status_code == HTTPStatus.OK
        counts.append(len(captured.captured_queries))
    return counts


def test_the_filtered_list_reads_as_many_queries_for_660_incidents_as_for_7(
    client, organization_factory, django_assert_max_num_queries
):
    counts = []
    for size in (7, 660):
        org, owner = organization_factory(plan=factories.plan_with_incident_history())
        _imported(org, _incidents(size))
        counts.append(_queries(client, django_assert_max_num_queries, owner))

    assert counts[0] == counts[1]


SCRIPT = '<script>alert("x")</script>'
QUOTE = '" onmouseover="alert(1)'
# As the export's CSV writes it: quoted, its quotes doubled.
QUOTE_CSV = '""" onmouseover=""alert(1)"'


@pytest.fixture
def hostile(organization, other_organization):
    rows = [
        _row(f"INC{n}", f"0{n}-03-2016 09:00", SCRIPT, "1 - Critical", QUOTE_CSV,
             "TRUE", QUOTE_CSV, f"0{n}-03-2016 11:00")
        for n in range(1, 7)
    ]  # fmt: skip
    _imported(organization, rows)
    _imported(other_organization, THEIRS)
    return organization


def test_imported_names_are_escaped_on_every_page_and_in_the_stored_report(
    owner_client, hostile
):
    pages = [
        f"{reverse('incident_history')}?assignment_group={SCRIPT}",
        f"{reverse('incident_suggest')}?category=x",
        reverse("incident_detail", args=["INC1"]),
        reverse("dashboard"),
    ]
    reported = selectors.incident_import_reported(organization=hostile)
    bodies = [owner_client.get(url).content.decode() for url in pages]

    for body in [*bodies, reported.report_html]:
        assert SCRIPT not in body and 'onmouseover="alert' not in body
        for theirs in ("Secret team", "Zed", "Hidden", "INC9"):
            assert theirs not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in bodies[0]
    assert 'value="&quot; onmouseover=&quot;alert(1)"' in bodies[1]
    assert "&quot; onmouseover=&quot;alert(1)" in bodies[2]


def test_a_history_without_sla_says_nothing_of_missed_slas(owner_client, organization):
    # The export has no made_sla column: whether an SLA was missed is unknown.
    no_sla = [[line.replace(",FALSE,", ",,").replace(",TRUE,", ",,") for line in pair]
              for pair in OURS]  # fmt: skip
    _imported(organization, no_sla)

    body = _get(owner_client).content.decode()

    figures = body.split('<dl class="summary figures">')[1].split("</dl>")[0]
    assert "<dt>SLA missed</dt><dd>–</dd>" in figures
    breakdown = body.split('<section class="breakdown"')[1].split("</section>")[0]
    assert "marked ▲" not in breakdown and "own –" not in breakdown


def test_filter_choices_read_numbers_in_names_as_numbers(organization):
    _imported(organization, [
        _row(f"INC{n}", "01-03-2016 09:00", f"Group {n}", "3 - Moderate",
             f"Resolver {n}", "TRUE", "Net", "01-03-2016 10:00")
        for n in (10, 2, 1)
    ])  # fmt: skip

    choices = selectors.incident_filter_choices(organization=organization)

    assert choices["assignment_group"] == ["Group 1", "Group 2", "Group 10"]
    assert choices["assigned_to"] == ["Resolver 1", "Resolver 2", "Resolver 10"]
    assert choices["category"] == ["Net"]
