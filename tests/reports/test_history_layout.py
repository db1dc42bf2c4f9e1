"""The history page and its PDF: what comes first, and what links where."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.reports.pdf import pdf_text
from tests.reports.test_incident_filters import (
    _get,
    _imported,
    _listed,
    _row,
    histories,  # noqa: F401 (the fixture the tests use)
)

pytestmark = pytest.mark.django_db

NO_OPEN = "The history has no open incidents, so none is stalled."
THRESHOLD = "Open and without an update for"


def _breakdown(body):
    return body.split('<section class="breakdown"')[1].split("</section>")[0]


def _value_links(body):
    """Return each breakdown row's link and its count of incidents."""
    return re.findall(
        r'<th scope="row" class="user-text"><a href="([^"]+)">[^<]+</a></th>\s*'
        r'<td class="num">(\d+)</td>',
        _breakdown(body),
    )


@pytest.mark.usefixtures("histories")
def test_history_page_lists_figures_breakdown_and_incidents_before_the_report(
    owner_client,
):
    body = _get(owner_client).content.decode()

    marks = [
        '<dl class="summary figures">',
        '<nav class="contents"',
        'id="breakdown-heading"',
        'id="incidents"',
        '<table class="incident-list">',
        'id="stalled-heading"',
        'id="report-heading"',
    ]
    places = [body.index(mark) for mark in marks]
    assert places == sorted(places)
    contents = body.split('<nav class="contents"')[1].split("</nav>")[0]
    for target in re.findall(r'href="#([^"]+)"', contents):
        assert f'id="{target}"' in body


@pytest.mark.usefixtures("histories")
def test_each_breakdown_value_links_to_the_incidents_it_counts(
    owner_client,
):
    body = _get(owner_client).content.decode()

    links = _value_links(body)
    assert (
        f"{reverse('incident_history')}?priority=1+-+Critical#incidents",
        "2",
    ) in links
    # Priorities, then each value twice (the first rows and all of them) of
    # the groups and the categories.
    assert len({href for href, _count in links}) == 2 + 2 + 2
    for href, count in links:
        response = owner_client.get(unescape(href))
        assert response.status_code == 200
        assert len(_listed(response)) == int(count)
    assert _listed(owner_client.get(f"{reverse('incident_history')}?category=Mail"))


def test_a_row_without_a_value_links_to_nothing(owner_client, organization):
    _imported(organization, [
        _row("INC1", "01-03-2016 09:00", "Desk", "1 - Critical", "Ana", "TRUE", "",
             "01-03-2016 10:00"),
    ])  # fmt: skip

    breakdown = _breakdown(_get(owner_client).content.decode())

    assert '<th scope="row" class="user-text">No category</th>' in breakdown
    assert "category=" not in breakdown
    assert "?priority=1+-+Critical#incidents" in breakdown


@pytest.mark.usefixtures("histories")
def test_history_pdf_opens_with_the_figures_and_the_breakdown(
    owner_client,
    tmp_path,
):
    response = owner_client.get(reverse("incident_history_pdf"))

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)

    marks = [
        "Incident history of Acme IT",
        "Still open",
        "SLA missed",
        "SLA and resolution time by priority, group and category",
        "By priority",
        "1 - Critical 2 2 (100%)",
        "By assignment group",
        "By category",
        "Stalled incidents",
        NO_OPEN,
        "Incident history report",
        "Mean time per phase",
    ]
    places = [text.index(mark) for mark in marks]
    assert places == sorted(places)
    # The page's own figures, from the same stored summary.
    assert (
        "2 of 3 (67%)" in text
        and "Mean resolution time (opened to resolved): 20 h 20 min." in text
    )
    for theirs in ("Secret team", "Hidden", "2 - High", "INC9"):
        assert theirs not in text


@pytest.mark.usefixtures("histories")
def test_a_history_with_nothing_open_says_so_once_and_gives_no_threshold(
    owner_client,
):
    body = _get(owner_client).content.decode()

    assert body.count(NO_OPEN) == 1
    assert THRESHOLD not in body and "No open incident has stalled." not in body


@pytest.mark.usefixtures("histories")
def test_breakdown_names_the_span_of_its_resolution_times(owner_client, tmp_path):
    breakdown = _breakdown(_get(owner_client).content.decode())
    text = pdf_text(owner_client.get(reverse("incident_history_pdf")).content, tmp_path)

    # One heading over both times names their span, the median's and the
    # 90th percentile's alike.
    span = "Resolution time (opened to resolved)"
    heading = f'<th scope="col" colspan="2" class="num">{span}</th>'
    columns = (
        '<tr><th scope="col" class="num">Median</th>'
        '<th scope="col" class="num">90% within</th></tr>'
    )
    assert breakdown.count(heading) == breakdown.count(columns) == 3
    assert " ".join(text.split()).count(f"{span} Median 90% within") >= 3
    assert "Resolution times (opened to resolved) are of resolved incidents" in (
        breakdown
    )


@pytest.mark.usefixtures("histories")
def test_incident_list_names_the_span_of_its_resolution_column(owner_client):
    body = _get(owner_client).content.decode()
    before, table = body.split('<table class="incident-list">')

    # The header stays one word, so that a phone's card of three lines
    # keeps them; the line above the list says what the column spans.
    assert '<th scope="col">Resolution</th>' in table.split("</thead>")[0]
    note = before.rsplit("<p", 1)[1]
    assert "Resolution is the resolution time (opened to resolved)" in note
