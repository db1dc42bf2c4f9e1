"""Search shows what a workflow's SOP holds there, not again in its runs."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.recordings.models import Recording
from apps.web import selectors
from apps.web.search import search_terms
from apps.workflows.models import Run, State, Workflow
from tests.web.test_search import _main, embedded_search, workflow_with_steps

pytestmark = pytest.mark.django_db

OUTAGE = "Berlin office lost network access"


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _run(organization, workflow, title, steps):
    """Return a recording of ``workflow`` whose run recorded ``steps``."""
    recording = Recording.objects.create(
        organization=organization, title=title, agent="Li"
    )
    Run.objects.create(
        organization=organization,
        workflow=workflow,
        recording=recording,
        steps=[{"kind": "action", "text": text} for text in steps],
    )
    return recording


def _service_desk(organization):
    """Return a workflow whose SOP holds "Enter Caller", as its run recorded
    it, and a recording whose workflow has no SOP yet, by their names."""
    outage = workflow_with_steps(
        organization, OUTAGE, ["Open the ticket", "Enter Caller", "Assign the owner"]
    )
    recorded = ["Open the ticket", "Enter Caller", "Assign the owner (Dana Wright)"]
    unmade = Workflow.objects.create(
        organization=organization, title="Printer jam", state=State.QUEUED
    )
    return {
        "outage": outage,
        "outage run": _run(organization, outage, OUTAGE, recorded),
        "printer": _run(organization, unmade, "Toner low", ["Enter Caller"]),
    }


def _client(organization):
    client = Client()
    client.force_login(organization.memberships.first().user)
    return client


def test_search_shows_a_step_the_sop_holds_not_the_runs_that_recorded_it(
    organization, owner_client
):
    desk = _service_desk(organization)
    outage = desk["outage"].get_absolute_url()

    main = _main(owner_client, "caller")

    assert f'<a href="{outage}#step-2">Enter <mark>Caller</mark></a>' in main
    assert f'href="{outage}"' not in main
    assert f"/recordings/{desk['outage run'].pk}/" not in main
    assert f'href="/recordings/{desk["printer"].pk}/">Toner low</a>' in main
    assert (
        'Printer jam</a><span class="muted">'
        "Run “Toner low” · Step 1: Enter <mark>Caller</mark></span>"
    ) in main


def test_search_finds_in_a_run_what_its_sop_does_not_hold(organization, owner_client):
    desk = _service_desk(organization)
    outage = desk["outage"].get_absolute_url()

    main = _main(owner_client, "Dana Wright")

    # The run is named by its title only where that is not the workflow's.
    assert (
        f'<a href="{outage}">{OUTAGE}</a><span class="muted">'
        "Run · Step 3: Assign the owner (<mark>Dana</mark> <mark>Wright</mark>)"
        "</span>"
    ) in main
    assert f'href="/recordings/{desk["outage run"].pk}/"' in main


def test_search_shows_words_a_workflow_holds_by_itself_there(
    organization, owner_client
):
    desk = _service_desk(organization)
    outage = desk["outage"].get_absolute_url()

    main = _main(owner_client, "caller network")

    assert (
        f'<a href="{outage}">Berlin office lost <mark>network</mark> access</a>'
        f'<span class="muted"><a href="{outage}#step-2">'
        "Step 2: Enter <mark>Caller</mark></a></span>"
    ) in main
    assert f"/recordings/{desk['outage run'].pk}/" not in main
    assert "Run “" not in main


def test_search_names_a_run_only_for_what_the_sop_lacks(organization, owner_client):
    workflow = workflow_with_steps(
        organization, "VPN login failures", ["Enter Caller", "Choose the category"]
    )
    _run(
        organization,
        workflow,
        "Remote staff cannot connect",
        ["Enter Caller", "Choose the category (Network)"],
    )
    url = workflow.get_absolute_url()

    main = _main(owner_client, "caller network")

    assert (
        f'<a href="{url}">VPN login failures</a><span class="muted">'
        f'<a href="{url}#step-1">Step 1: Enter <mark>Caller</mark></a> · '
        "Run “Remote staff cannot connect” · "
        "Step 2: Choose the category (<mark>Network</mark>)</span>"
    ) in main


def test_search_names_the_run_a_workflow_was_found_by(organization, owner_client):
    workflow = workflow_with_steps(organization, "VPN login failures", ["Call"])
    _run(organization, workflow, "Remote staff cannot connect", ["Call"])

    main = _main(owner_client, "remote staff")

    assert (
        f'<a href="{workflow.get_absolute_url()}">VPN login failures</a>'
        '<span class="muted">Run “<mark>Remote</mark> <mark>staff</mark> cannot '
        "connect”</span>"
    ) in main


@pytest.mark.parametrize(
    ("query", "printer"),
    [("caller", True), ("caller network", False), ("-network", True)],
)
def test_search_leaves_out_a_run_only_by_its_own_workflow(
    organization, other_organization, owner_client, query, printer
):
    ours = _service_desk(organization)
    theirs = _service_desk(other_organization)
    # A run of theirs naming our workflow, as no service writes one: its
    # recording is found by its steps all the same, as our SOP is not theirs.
    stray = _run(other_organization, ours["outage"], "Stray", ["Enter Caller"])

    our_page = _main(owner_client, query)
    their_page = _main(_client(other_organization), query)

    for page, shown, hidden in ((our_page, ours, theirs), (their_page, theirs, ours)):
        assert f"/recordings/{shown['outage run'].pk}/" not in page
        assert (f'href="/recordings/{shown["printer"].pk}/"' in page) is printer
        assert _links(page, hidden) == []
    assert (f'href="/recordings/{stray.pk}/"' in their_page) is printer
    assert "Stray" not in our_page


def _links(page, rows):
    """Return the links ``page`` holds to any of the ``rows`` of a service desk."""
    outage = rows["outage"].get_absolute_url()
    hrefs = [f'href="{outage}"', f'href="{outage}#']
    hrefs += [f"/recordings/{rows[name].pk}/" for name in ("outage run", "printer")]
    return [href for href in hrefs if href in page]


@pytest.mark.parametrize(("query", "count"), [("caller", 7), ("caller network", 12)])
def test_search_leaves_out_runs_without_a_query_more(organization, query, count):
    _service_desk(organization)

    with CaptureQueriesContext(connection) as queries:
        selectors.search(organization=organization, terms=search_terms(query))

    assert len(queries) == count


SQLITE_SOP_FIRST = """
import json
from apps.web.search import search_terms
from apps.web.selectors import search
from tests.factories import organization_with_owner
from tests.web.test_search_sop_first import _service_desk

ours, _ = organization_with_owner(name="Ours")
theirs, _ = organization_with_owner(name="Theirs")
_service_desk(theirs)
names = {row.pk: name for name, row in _service_desk(ours).items()}


def text(segments):
    return "".join(segment.text for segment in segments)


def shown(reason):
    if "run" in reason:
        return "Run " + text(reason["run"])
    return (reason["url"] or "").rpartition("#")[2] + " " + text(reason["text"])


def found(query):
    rows = search(organization=ours, terms=search_terms(query))
    return {
        "workflows": [
            [text(row["title"]), [shown(reason) for reason in row["reasons"]]]
            for row in rows["workflows"]
        ],
        "steps": [[row["workflow_title"], row["number"]] for row in rows["steps"]],
        "recordings": [names[row["recording"].pk] for row in rows["recordings"]],
    }


print(json.dumps({query: found(query) for query in ("caller", "caller network")}))
"""


@pytest.mark.slow
def test_search_on_the_embedded_database_shows_the_sop_first(tmp_path):
    found = embedded_search(tmp_path, SQLITE_SOP_FIRST)

    assert found["caller"] == {
        "workflows": [["Printer jam", ["Run Toner low", " Enter Caller"]]],
        "steps": [[OUTAGE, 2]],
        "recordings": ["printer"],
    }
    assert found["caller network"] == {
        "workflows": [[OUTAGE, ["step-2 Enter Caller"]]],
        "steps": [],
        "recordings": [],
    }
