"""A shared page names nobody unless its link says to show names."""

import re

import pytest

from apps.sharing import services
from apps.sharing.names import name_aliases, owner_names, without_names
from tests.sharing.helpers import workflow_built, workflow_in

AGENT = "Sam Agent"
OWNER = "Dana Wright"


def test_one_person_is_the_agent_and_several_are_lettered():
    assert name_aliases(["Sam Agent", " ", "Sam Agent"]) == {"Sam Agent": "the agent"}
    aliases = name_aliases([f"Person {n}" for n in range(28)])
    assert [aliases["Person 0"], aliases["Person 25"], aliases["Person 27"]] == [
        "Agent A",
        "Agent Z",
        "Agent AB",
    ]


def test_without_names_replaces_whole_names_in_nested_texts():
    aliases = name_aliases(["Dana", "Dana Wright"])

    value = without_names(
        {"a": ["Dana Wright called Dana", ("Danasoft",)], "n": 3}, aliases
    )

    assert value == {"a": ["Agent B called Agent A", ["Danasoft"]], "n": 3}


def test_owner_names_come_from_owner_decisions_only():
    steps = [
        {"decision": {"value": "Network", "topic": "team"}},
        {"decision": {"value": OWNER, "topic": "owner"}},
        {"decision": None},
        {},
    ]

    assert owner_names(steps) == [OWNER]


def _shared(client, organization, workflow, **options):
    membership = organization.memberships.get(role="owner")
    _link, raw = services.share_link_create(
        membership=membership, workflow=workflow, include_report=True, **options
    )
    return client.get(f"/s/{raw}/").content.decode()


@pytest.mark.django_db
def test_shared_sop_map_and_report_name_nobody_by_default(organization, client):
    workflow = workflow_built(organization)

    page = _shared(client, organization, workflow)

    assert "Workflow intelligence report" in page
    for name in (AGENT, OWNER, "Wright"):
        assert name not in page
    assert "Agent A" in page and "Agent B" in page
    mermaid = re.search(r"<pre[^>]*data-mermaid>(.*?)</pre>", page, re.S)[1]
    assert "Assigned to: Agent B" in mermaid


@pytest.mark.django_db
def test_shared_page_shows_names_when_the_link_says_so(organization, client):
    workflow = workflow_built(organization)

    page = _shared(client, organization, workflow, show_names=True)

    assert AGENT in page and OWNER in page
    assert "Agent B" not in page


@pytest.mark.django_db
def test_shared_sop_is_numbered_and_marks_decisions_as_in_the_app(organization, client):
    workflow = workflow_in(organization)
    steps = [
        step
        for phase in workflow.current_version.document["phases"]
        for step in phase["steps"]
    ]

    page = _shared(client, organization, workflow)

    for step in steps:
        assert f'<span class="step-number">{step["number"]}.</span>' in page
    decisions = sum(1 for step in steps if step["kind"] == "decision")
    assert decisions and page.count("<strong>Decision:</strong>") == decisions
    assert "recorded event" in page
    links = re.findall(r'href="([^"]*)"', page)
    assert not [link for link in links if link.startswith("/workflows/")]
