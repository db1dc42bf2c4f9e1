"""Search finds recordings and workflows by agent name and ticket number."""

import uuid

import pytest
from django.test import Client

from apps.recordings.services import recording_import
from apps.web.search import search_terms, ticket_numbers
from apps.workflows.services import workflow_generate
from tests.workflows import recording_factory as rf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _recorded(organization, *, title, agent, ticket):
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, f"/now/nav/ui/incident/{ticket}", f"{ticket} | ServiceNow")
    b.click("Save")
    recording = recording_import(
        organization=organization,
        user=organization.memberships.first().user,
        document=rf.encode(b.recording(id=str(uuid.uuid4()), title=title, agent=agent)),
    )
    workflow = workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    workflow.title = f"{title} workflow"
    workflow.save(update_fields=["title"])
    return recording


@pytest.fixture
def recorded(organization, other_organization):
    _recorded(
        organization, title="Printer jam", agent="Amara Okafor", ticket="INC0048760"
    )
    _recorded(organization, title="VPN down", agent="Jonas Weber", ticket="INC0048999")
    _recorded(
        other_organization,
        title="Globex printer",
        agent="Amara Okafor",
        ticket="INC0048760",
    )


def _main(client, query):
    page = client.get("/search/", {"q": query}).content.decode()
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("inc0048760", ("INC0048760",)),
        ("see SD-42 and INC0012345", ("SD-42", "INC0012345")),
        ("printer jam", ()),
    ],
)
def test_ticket_numbers_are_read_in_capitals(query, numbers):
    assert ticket_numbers(search_terms(query).text) == numbers


def test_a_query_looks_up_only_its_first_few_ticket_numbers():
    query = " ".join(f"INC{number:07d}" for number in range(1, 20))

    assert ticket_numbers(search_terms(query).text) == (
        "INC0000001",
        "INC0000002",
        "INC0000003",
        "INC0000004",
        "INC0000005",
    )


@pytest.mark.usefixtures("recorded")
@pytest.mark.parametrize("query", ["okafor", "Amara Okafor", "inc0048760"])
def test_search_finds_recordings_and_workflows_by_agent_or_ticket(owner_client, query):
    main = _main(owner_client, query)

    assert "Printer jam workflow" in main
    assert "Printer jam</a>" in main
    assert "VPN down" not in main
    assert "Globex" not in main


@pytest.mark.usefixtures("recorded")
def test_search_by_agent_needs_every_word_of_the_name(owner_client):
    main = _main(owner_client, "amara weber")

    assert "Printer jam" not in main
    assert "VPN down" not in main


@pytest.mark.usefixtures("recorded")
def test_search_never_shows_another_organizations_agent_or_ticket(
    other_organization,
):
    client = Client()
    client.force_login(other_organization.memberships.first().user)

    for query in ("okafor", "INC0048760", "INC0048999", "weber"):
        main = _main(client, query)
        assert "Printer jam" not in main
        assert "VPN down" not in main
    assert "Globex printer" in _main(client, "INC0048760")
