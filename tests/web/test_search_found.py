"""Search finds incidents and recorded steps, without accents, and says why."""

import pytest
from django.test import Client

from apps.web.search import fold, highlight
from apps.workflows.models import Run
from tests.reports.factories import incident_create
from tests.web.test_search import embedded_search
from tests.web.test_search_agents_tickets import _main, _recorded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _incident(organization, number, group):
    rows = [
        ("New", "01-03-2016 09:00", group, "3 - Moderate"),
        ("Resolved", "01-03-2016 12:00", group, "3 - Moderate"),
    ]
    return incident_create(organization=organization, number=number, rows=rows)


def test_fold_drops_accents_and_case():
    assert fold("Tomás ÖRTEGA") == "tomas ortega"


def test_highlight_marks_a_word_typed_without_its_accent():
    marked = [part.text for part in highlight("Tomás Ortega", ("tomas",)) if part.match]

    assert marked == ["Tomás"]


@pytest.mark.parametrize("query", ["INC0000045", "inc0000045"])
def test_search_finds_an_incident_by_its_whole_number(
    organization, owner_client, query
):
    _incident(organization, "INC0000045", "Group 70")
    _incident(organization, "INC0000450", "Group 9")

    main = _main(owner_client, query)

    assert '<a href="/incidents/INC0000045/">INC0000045</a>' in main
    assert "Number: <mark>INC0000045</mark>" in main
    assert "INC0000450" not in main


def test_search_finds_an_incident_by_its_assignment_group(organization, owner_client):
    _incident(organization, "INC0000045", "Group 70")

    main = _main(owner_client, "Group 70")

    assert '<a href="/incidents/INC0000045/">INC0000045</a>' in main
    assert "Assignment group: <mark>Group</mark> <mark>70</mark>" in main


def test_search_marks_the_whole_word_of_an_incident_found_by_part_of_it(
    organization, owner_client
):
    _incident(organization, "INC0000045", "Certificates Team")

    main = _main(owner_client, "certificat")

    assert '<a href="/incidents/INC0000045/">INC0000045</a>' in main
    assert "Assignment group: <mark>Certificates</mark> Team" in main


def test_search_links_an_incident_number_holding_a_slash(organization, owner_client):
    _incident(organization, "INC/77", "Group 70")

    main = _main(owner_client, "INC/77")

    assert '<a href="/incidents/INC%252F77/">INC/77</a>' in main


def test_search_never_shows_another_organizations_incidents(
    organization, other_organization, owner_client
):
    _incident(other_organization, "INC0000045", "Group 70")
    client = Client()
    client.force_login(other_organization.memberships.first().user)

    for query in ("INC0000045", "Group 70"):
        main = _main(owner_client, query)
        assert "/incidents/" not in main and 'id="found-incidents"' not in main
        assert "Nothing in Acme IT matches" in main
    assert "INC0000045</a>" in _main(client, "Group 70")


@pytest.mark.parametrize("query", ["Tomas", "tomás", "TOMAS ortega"])
def test_search_finds_an_agent_with_or_without_accents(
    organization, owner_client, query
):
    _recorded(organization, title="Printer jam", agent="Tomás Ortega", ticket="INC1")

    main = _main(owner_client, query)

    assert "Printer jam</a>" in main
    assert "Agent: <mark>Tomás</mark>" in main


def test_search_finds_a_title_typed_without_its_accent(organization, owner_client):
    _recorded(organization, title="Café printer", agent="Jonas", ticket="INC1")

    main = _main(owner_client, "cafe")

    assert "<mark>Café</mark> printer</a>" in main


def test_search_says_which_page_showed_the_ticket(organization, owner_client):
    _recorded(organization, title="Printer jam", agent="Jonas", ticket="INC0048213")

    main = _main(owner_client, "INC0048213")

    assert "Page title: <mark>INC0048213</mark> | ServiceNow" in main
    assert "Run “Printer jam” · Page title:" in main


def _steps(*, owner, withheld=False):
    return [
        {"text": "Open the ticket", "kind": "action"},
        {"text": "Wait for Marek", "kind": "wait"},
        {
            "text": "Assign the owner",
            "kind": "decision",
            "decision": {"field": "Assigned to", "topic": "owner", "value": owner},
            "withheld": withheld,
        },
    ]


def test_search_finds_a_recording_by_a_step_it_recorded(
    organization, other_organization, owner_client
):
    ours = _recorded(organization, title="Handover", agent="Jonas", ticket="INC1")
    hidden = _recorded(organization, title="Hidden", agent="Jonas", ticket="INC2")
    theirs = _recorded(other_organization, title="Theirs", agent="Li", ticket="INC3")
    Run.objects.filter(recording__in=[ours, theirs]).update(
        steps=_steps(owner="Marek Novak")
    )
    Run.objects.filter(recording=hidden).update(
        steps=_steps(owner="Marek Novak", withheld=True)
    )

    main = _main(owner_client, "Marek Novak")

    assert f'href="/recordings/{ours.pk}/"' in main
    assert "Step 2: Assign the owner (<mark>Marek</mark> <mark>Novak</mark>)" in main
    assert "Run “Handover” · Step 2:" in main
    assert "Theirs" not in main and "Hidden" not in main
    assert "Wait for" not in main


SQLITE_SEARCH = """
import json
from apps.recordings.models import Recording
from apps.web.search import search_terms
from apps.web.selectors import search
from apps.workflows.models import Run, Workflow
from tests.factories import organization_with_owner
from tests.reports.factories import incident_create

ours, _ = organization_with_owner(name="Ours")
theirs, _ = organization_with_owner(name="Theirs")
for organization in (ours, theirs):
    recording = Recording.objects.create(
        organization=organization, title="Handover", agent="Tomás Ortega"
    )
    workflow = Workflow.objects.create(organization=organization, title="Handover")
    Run.objects.create(
        organization=organization,
        workflow=workflow,
        recording=recording,
        steps=[
            {"text": "Wait for Marek", "kind": "wait"},
            {"text": "Make Marek Novak the owner", "kind": "action"},
        ],
    )
incident_create(organization=ours, number="INC0000045")


def shown(reason):
    if "run" in reason:
        return ["Run", "".join(s.text for s in reason["run"])]
    marked = [s.text for s in reason["text"] if s.match]
    return [str(reason["label"]), "".join(s.text for s in reason["text"]), marked]


def reasons(query):
    found = search(organization=ours, terms=search_terms(query))
    rows = {
        kind: [[shown(reason) for reason in row["reasons"]] for row in found[kind]]
        for kind in ("workflows", "recordings")
    }
    rows["incidents"] = [
        [shown(reason) for reason in row["reasons"]] for row in found["incidents"]
    ]
    return rows


queries = (
    "tomas",
    "marek novak",
    "inc0000045",
    "ortega owner",
    "ortega printer",
    "1 category",
    "category 2",
)
print(json.dumps({q: reasons(q) for q in queries}))
"""


@pytest.mark.slow
def test_search_on_the_embedded_database_folds_names_and_reads_runs(tmp_path):
    found = embedded_search(tmp_path, SQLITE_SEARCH)

    assert found["tomas"]["recordings"] == [[["Agent", "Tomás Ortega", ["Tomás"]]]]
    assert found["marek novak"]["recordings"] == [
        [["Step 1", "Make Marek Novak the owner", ["Marek", "Novak"]]]
    ]
    assert found["inc0000045"]["incidents"] == [
        [["Number", "INC0000045", ["INC0000045"]]]
    ]
    spread = [
        ["Agent", "Tomás Ortega", ["Ortega"]],
        ["Step 1", "Make Marek Novak the owner", ["owner"]],
    ]
    assert found["ortega owner"]["recordings"] == [spread]
    # The run is not named again by the title its workflow shows.
    assert found["ortega owner"]["workflows"] == [[["Run", ""], *spread]]
    assert found["ortega printer"] == {
        "workflows": [],
        "recordings": [],
        "incidents": [],
    }
    assert found["1 category"]["incidents"] == [
        [["Category", "Category 1", ["Category", "1"]]]
    ]
    assert found["category 2"]["incidents"] == [
        [
            ["Assignment group", "Group 2", ["2"]],
            ["Category", "Category 1", ["Category"]],
        ]
    ]
