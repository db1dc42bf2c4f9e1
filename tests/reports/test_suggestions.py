"""Suggesting a new incident's priority and group from similar past ones."""

import random
import re
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from apps.reports import history, selectors
from apps.reports.services import incidents_import
from tests.reports.factories import HEADER
from tests.reports.test_history import _export_text

HOUR = 3_600_000
DAY = 24 * HOUR


def _candidate(
    number, *, hours, made_sla=True, group="G1", priority="3 - Low", **facts
):
    return {
        "number": number,
        "category": "Network",
        "subcategory": "",
        "symptom": "",
        "cmdb_ci": "",
        **facts,
        "priority": priority,
        "assignment_group": group,
        "resolution_ms": None if hours is None else hours * HOUR,
        "made_sla": made_sla,
    }


def test_similarity_ignores_case_and_surrounding_space():
    candidate = _candidate("a", hours=1, category="Category 45", symptom="Symptom 4")

    assert history.similarity(
        {"category": "  category 45 ", "symptom": "SYMPTOM 4"}, candidate
    ) == (3, ["symptom", "category"])
    assert history.similarity({"category": "category 4"}, candidate) == (0, [])
    # A blank fact matches nothing, not even a blank one.
    assert history.similarity({"category": "  "}, {"category": ""}) == (0, [])


def test_similar_incidents_are_the_same_whatever_the_order_given():
    candidates = [
        _candidate(f"INC{n:03d}", hours=n, category=("network", " NETWORK")[n % 2])
        for n in range(1, 30)
    ]
    shuffled = random.Random(7).sample(candidates, len(candidates))

    first = history.similar_incidents({"category": "Network"}, candidates, limit=None)
    again = history.similar_incidents({"category": "Network"}, shuffled, limit=None)

    assert len(first) == 29
    assert first == again


def test_suggest_lets_only_incidents_that_ended_well_vote():
    candidates = [
        # The organization's median resolution is 4 h: 12 h or more is slow.
        _candidate("a", hours=4, group="Desk"),
        _candidate("b", hours=2, group="Desk"),
        _candidate("c", hours=6, group="Desk", priority="2 - High"),
        _candidate("d", hours=3, group="Network ops"),
        _candidate("e", hours=4, group="Network ops"),
        # Closer matches that ended badly: they would win the vote otherwise.
        _candidate("f", hours=2400, group="Slow team", symptom="Down"),
        _candidate("g", hours=3000, group="Slow team", symptom="Down"),
        _candidate("h", hours=1, made_sla=False, group="Slow team", symptom="Down"),
        _candidate("i", hours=None, group="Slow team", symptom="Down"),
        _candidate("z", hours=4, category="Printing", group="Printers"),
    ]

    result = history.suggest({"category": "Network", "symptom": "down"}, candidates)

    assert result["enough"] is True
    assert result["median_resolution_ms"] == 4 * HOUR
    assert result["slow_ms"] == 12 * HOUR
    assert result["voters"] == 5
    assert result["left_out"] == {"missed_sla": 1, "slow": 2, "unresolved": 1}
    assert [(row["number"], row["left_out"]) for row in result["similar"]] == [
        ("f", "slow"),
        ("g", "slow"),
        ("h", "missed_sla"),
        ("i", "unresolved"),
        ("a", None),
        ("b", None),
        ("c", None),
        ("d", None),
        ("e", None),
    ]
    # Each voter scores 1 (the category): Desk 3 against Network ops 2.
    assert result["assignment_group"] == {
        "value": "Desk",
        "weight": 3,
        "of": 5,
        "clear": True,
        "closer": False,
        "backers": 3,
        "numbers": ["a", "b", "c"],
        "more": 0,
        "leading": [
            {"value": "Desk", "backers": 3},
            {"value": "Network ops", "backers": 2},
        ],
        "others": 0,
        "similar": {
            "count": 3,
            "median_resolution_ms": 4 * HOUR,
            "made_sla": 3,
            "judged": 3,
        },
    }
    # The evidence behind a value counts the similar incidents left out too.
    assert result["priority"]["value"] == "3 - Low"
    assert result["priority"]["backers"] == 4
    assert result["priority"]["similar"] == {
        "count": 8,
        "median_resolution_ms": 4 * HOUR,
        "made_sla": 7,
        "judged": 8,
    }


def test_suggest_says_when_too_few_similar_incidents_ended_well():
    candidates = [
        _candidate("a", hours=4),
        _candidate("b", hours=4),
        _candidate("c", hours=4, made_sla=False),
        _candidate("d", hours=400),
        _candidate("e", hours=4, category="Printing"),
    ]

    result = history.suggest({"category": "network"}, candidates)

    assert result["enough"] is False
    assert result["voters"] == 2
    assert result["priority"] is None and result["assignment_group"] is None
    assert result["left_out"] == {"missed_sla": 1, "slow": 1}


def test_suggest_wants_two_incidents_behind_a_value():
    candidates = [
        _candidate(n, hours=4, group=f"Group {n}", priority="2 - High")
        for n in ("a", "b", "c", "d")
    ]

    result = history.suggest({"category": "Network"}, candidates)

    assert result["enough"] is True
    assert result["assignment_group"] is None
    assert result["priority"]["value"] == "2 - High"


def test_suggest_lets_every_incident_tied_at_the_cut_vote():
    candidates = [
        _candidate("a", hours=4, group="Desk", symptom="Down"),
        *(_candidate(f"n{n}", hours=4, group="Desk") for n in range(4)),
        *(_candidate(f"p{n}", hours=4, group="Network ops") for n in range(8)),
    ]

    result = history.suggest({"category": "Network", "symptom": "Down"}, candidates)

    # "a" scores 3, the rest 1 each. The five best alone would be "a" and
    # the four "n" (by number): all Desk. Tied with the fifth, all twelve
    # others vote: Network ops 8 against Desk 3 + 4.
    assert result["voters"] == 13
    assert result["assignment_group"]["value"] == "Network ops"
    assert result["assignment_group"]["weight"] == 8
    assert result["assignment_group"]["of"] == 15


def test_suggest_says_no_clear_choice_without_half_the_score():
    groups = ["Group 46"] * 3 + ["Group 12"] * 2 + ["Group 7"] * 2 + ["Group 3"]
    candidates = [
        _candidate(f"INC{n:03d}", hours=4, group=group)
        for n, group in enumerate(groups)
    ]

    result = history.suggest({"category": "Network"}, candidates)

    # Every voter scores 1: Group 46 leads with 3 of 8, short of half.
    group = result["assignment_group"]
    assert result["voters"] == 8
    assert (group["value"], group["weight"], group["of"]) == ("Group 46", 3, 8)
    assert group["clear"] is False
    assert group["leading"] == [
        {"value": "Group 46", "backers": 3},
        {"value": "Group 7", "backers": 2},
        {"value": "Group 12", "backers": 2},
    ]
    assert group["others"] == 1
    assert result["priority"]["clear"] is True
    assert result == history.suggest({"category": "Network"}, candidates[::-1])


def test_suggest_counts_half_the_score_as_no_clear_choice():
    candidates = [
        _candidate(f"a{n}", hours=4, group=("Desk", "Network ops")[n % 2])
        for n in range(6)
    ]

    group = history.suggest({"category": "Network"}, candidates)["assignment_group"]

    assert (group["weight"], group["of"], group["clear"]) == (3, 6, False)


def test_suggest_lets_closer_matches_win_without_most_incidents():
    candidates = [
        _candidate("a", hours=4, group="Desk", symptom="Down"),
        _candidate("b", hours=4, group="Desk", symptom="Down"),
        *(_candidate(f"n{n}", hours=4, group=f"Team {n}") for n in range(3)),
    ]

    result = history.suggest({"category": "Network", "symptom": "Down"}, candidates)

    # Desk: 2 of 5 incidents, but a score of 3 + 3 of the 9 in all.
    group = result["assignment_group"]
    assert (group["value"], group["weight"], group["of"]) == ("Desk", 6, 9)
    assert group["backers"] == 2 and result["voters"] == 5
    assert group["clear"] is True and group["closer"] is True


def test_suggest_names_the_facts_no_past_incident_has():
    candidates = [_candidate("a", hours=4, symptom="Down")]

    result = history.suggest(
        {"category": "network", "symptom": "Flicker", "subcategory": ""}, candidates
    )

    assert result["unmatched"] == ["symptom"]


def test_known_values_go_by_frequency_then_name():
    rows = [
        {"category": "Category 45"},
        {"category": "category 45 "},
        {"category": "Category 45"},
        {"category": "Category 9"},
        {"category": "Category 10"},
        {"category": "Category 10"},
        {"category": "Category 9"},
        {"category": ""},
        {"category": "Category 100"},
    ]

    known = history.known_values(rows, ["category", "symptom"])

    assert known == {
        "category": [
            {"value": "Category 45", "count": 3},
            {"value": "Category 9", "count": 2},
            {"value": "Category 10", "count": 2},
            {"value": "Category 100", "count": 1},
        ],
        "symptom": [],
    }


def _body(response):
    # Durations may be drawn with no-break spaces; the words read the same.
    return response.content.decode().replace("\u00a0", " ")


def _stamp(moment):
    return moment.strftime("%d-%m-%Y %H:%M")


def _import(organization, incidents):
    """Import ``incidents``: (number, category, group, priority, hours, SLA)."""
    start = datetime(2016, 3, 1, 9, 0)
    lines = [HEADER]
    for number, category, group, priority, hours, made_sla in incidents:
        opened = _stamp(start)
        resolved = _stamp(start + timedelta(hours=hours))
        sla = "TRUE" if made_sla else "FALSE"
        for state, at in (("New", opened), ("Resolved", resolved)):
            lines.append(
                f"{number},{state},{at},{opened},{group},{priority},"
                f"{category},?,?,?,{resolved},{sla}"
            )
    incidents_import(organization=organization, text="\n".join(lines))


@pytest.fixture
def suggestible(organization):
    _import(
        organization,
        [
            ("INC0000101", "Category 45", "Desk", "3 - Moderate", 2, True),
            ("INC0000102", "Category 45", "Desk", "3 - Moderate", 3, True),
            ("INC0000103", "Category 45", "Desk", "3 - Moderate", 4, True),
            ("INC0000104", "Category 45", "Slow team", "1 - Critical", 900, True),
            ("INC0000105", "Category 45", "Slow team", "3 - Moderate", 5, False),
            ("INC0000106", "Category 9", "Printers", "4 - Low", 4, True),
            ("INC0000107", "Category 45", "Desk", "3 - Moderate", 3, True),
        ],
    )
    return organization


def test_suggest_page_offers_the_organizations_values(
    owner_client, suggestible, other_organization
):
    _import(
        other_organization,
        [("INC0000201", "Category 77", "Elsewhere", "2 - High", 1, True)],
    )

    body = owner_client.get(reverse("incident_suggest")).content.decode()

    assert 'list="known-category"' in body
    listed = body.split('<datalist id="known-category">')[1].split("</datalist>")[0]
    assert re.findall(r'value="([^"]*)"', listed) == ["Category 45", "Category 9"]
    assert '<option value="Category 45">6 incidents</option>' in listed
    assert '<option value="Category 9">1 incident</option>' in listed
    assert "Category 77" not in body
    # An item no incident names gets no list, and the box still takes text.
    assert 'list="known-cmdb_ci"' not in body


def test_suggest_page_asks_for_nothing_before_it_is_used(owner_client, suggestible):
    response = owner_client.get(reverse("incident_suggest"))

    assert response.status_code == HTTPStatus.OK
    assert "Give at least one of" not in response.content.decode()


def test_suggest_page_matches_any_case_and_shows_the_evidence(
    owner_client, suggestible
):
    response = owner_client.get(
        reverse("incident_suggest"), {"category": "category 45 "}
    )

    body = _body(response)
    assert response.status_code == HTTPStatus.OK
    assert (
        "<strong>Suggested priority: 3 - Moderate — 4 of 4 similar incidents that "
        "ended well had it</strong>:"
    ) in body
    assert (
        "<strong>Suggested group: Desk — 4 of 4 similar incidents that ended well "
        "went to it</strong>:"
    ) in body
    suggestions = body.split("From similar past incidents")[1]
    assert "match more closely" not in suggestions
    for word in ("vote", "score", "Score", "Backed by"):
        assert word not in suggestions
    assert (
        "The 4 similar incidents this group had took a median of 3 h to resolve; "
        "4 of 4 made the SLA."
    ) in body
    assert (
        "The 5 similar incidents with this priority took a median of 3 h to "
        "resolve; 4 of 5 made the SLA."
    ) in body
    assert reverse("incident_detail", args=["INC0000102"]) in body
    assert "Left out for how they ended:" in body
    assert "1 missed the SLA" in body and "1 took longer than" in body
    assert "1 - Critical" not in body.split("<table>")[0]


def test_suggest_page_says_when_no_group_is_a_clear_choice(owner_client, organization):
    groups = ["Group 46"] * 3 + ["Group 12"] * 2 + ["Group 7"] * 2 + ["Group 3"]
    _import(
        organization,
        [
            (f"INC00005{n:02d}", "Category 50", group, "3 - Moderate", 2, True)
            for n, group in enumerate(groups)
        ],
    )

    response = owner_client.get(
        reverse("incident_suggest"), {"category": "Category 50"}
    )

    body = " ".join(_body(response).split())
    assert response.status_code == HTTPStatus.OK
    assert (
        "<p><strong>No clear choice of group: the similar incidents that ended "
        "well went to several.</strong> Most often: Group 46 (3 of 8 similar "
        "incidents), Group 7 (2 of 8 similar incidents), Group 12 (2 of 8 "
        "similar incidents) and 1 other group.</p>"
    ) in body
    assert "Suggested group" not in body
    assert (
        "Suggested priority: 3 - Moderate — 8 of 8 similar incidents that ended "
        "well had it"
    ) in body


def test_suggest_page_says_when_the_evidence_is_too_little(owner_client, suggestible):
    response = owner_client.get(reverse("incident_suggest"), {"category": "Category 9"})

    body = _body(response)
    assert response.status_code == HTTPStatus.OK
    assert (
        "Too little evidence to suggest a priority or group: 1 similar past "
        "incident ended well, and a suggestion needs at least 3."
    ) in body
    assert "Suggested priority" not in body


def test_suggest_page_names_a_value_no_incident_has(owner_client, suggestible):
    response = owner_client.get(
        reverse("incident_suggest"), {"category": "Category 45", "symptom": "Flicker"}
    )

    body = _body(response)
    assert "Symptom “Flicker”: no resolved past incident has this value." in body
    assert "Suggested group: Desk" in body


def test_suggest_page_asks_for_at_least_one_fact(owner_client, suggestible):
    response = owner_client.get(reverse("incident_suggest"), {"category": "  "})

    body = _body(response)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Give at least one of category, subcategory, symptom or item." in body
    assert "From similar past incidents" not in body


def test_suggest_page_refuses_a_value_too_long(owner_client, suggestible):
    response = owner_client.get(reverse("incident_suggest"), {"symptom": "x" * 121})

    body = _body(response)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ensure this value has at most 120 characters (it has 121)." in body
    assert "Give at least one of" not in body
    assert "From similar past incidents" not in body


def test_suggestions_never_come_from_another_organization(
    owner_client, organization, other_organization
):
    _import(
        other_organization,
        [
            (f"INC000030{n}", "Category 45", "Elsewhere", "2 - High", 1, True)
            for n in range(5)
        ],
    )

    response = owner_client.get(
        reverse("incident_suggest"), {"category": "Category 45"}
    )

    body = _body(response)
    assert "No resolved past incident shares these facts" in body
    assert "Elsewhere" not in body and "INC0000300" not in body
    assert selectors.incident_suggest_choices(organization=organization) == {
        name: [] for name in selectors.SUGGEST_FIELDS
    }


def test_incident_page_shows_suggestions_from_similar_incidents(
    owner_client, suggestible
):
    response = owner_client.get(reverse("incident_detail", args=["INC0000101"]))

    body = _body(response)
    assert response.status_code == HTTPStatus.OK
    # The other Category 45 incidents; the incident itself does not vote.
    assert (
        "Suggested group: Desk — 3 of 3 similar incidents that ended well went to it"
    ) in body
    assert reverse("incident_detail", args=["INC0000104"]) in body
    assert 'href="/incidents/INC0000101/"' not in body


def test_incident_page_names_the_span_of_its_resolution_times(
    owner_client, suggestible
):
    response = owner_client.get(reverse("incident_detail", args=["INC0000101"]))

    body = _body(response)
    span = "Resolution time (opened to resolved)"
    # The incident's own, and the column of the similar incidents' table.
    assert f"<dt>{span}</dt>" in body
    assert f'<th scope="col">{span}</th>' in body
    assert ">Resolution<" not in body and ">Resolution time<" not in body


def test_incident_page_says_when_no_incident_is_similar(owner_client, suggestible):
    response = owner_client.get(reverse("incident_detail", args=["INC0000106"]))

    body = _body(response)
    assert response.status_code == HTTPStatus.OK
    assert "No past incident shares its category, symptom or configuration item." in (
        body
    )


def test_demo_history_suggests_from_incidents_that_ended_well(organization):
    incidents_import(organization=organization, text=_export_text())

    result = selectors.incident_suggestions(
        organization=organization, target={"category": "category 45"}
    )

    assert result["enough"] is True
    voters = [row for row in result["similar"] if row["left_out"] is None]
    assert voters and all(row["made_sla"] is not False for row in voters)
    assert all(row["resolution_ms"] <= result["slow_ms"] for row in voters)
    assert result["priority"]["similar"]["count"] >= result["priority"]["backers"]
    assert result == selectors.incident_suggestions(
        organization=organization, target={"category": " CATEGORY 45"}
    )


def test_suggestions_say_when_closer_matches_win():
    candidates = [
        _candidate("INC001", hours=4, group="Desk", symptom="Down"),
        _candidate("INC002", hours=4, group="Desk", symptom="Down"),
        *(_candidate(f"INC10{n}", hours=4, group=f"Team {n}") for n in range(3)),
    ]
    suggestions = history.suggest(
        {"category": "Network", "symptom": "Down"}, candidates
    )

    html = render_to_string("reports/_suggestions.html", {"suggestions": suggestions})

    text = " ".join(html.replace("\u00a0", " ").split())
    assert (
        "<strong>Suggested group: Desk — 2 of 5 similar incidents that ended well "
        'went to it</strong>: <a href="/incidents/INC001/">INC001</a>, '
        '<a href="/incidents/INC002/">INC002</a>. They match more closely than '
        "the others, and closer matches count for more."
    ) in text
