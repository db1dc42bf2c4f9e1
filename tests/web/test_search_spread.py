"""Search finds a workflow or recording holding the words between its fields."""

import pytest
from django.test import Client

from apps.recordings.models import Recording
from apps.web.search import Factor, query_branches
from apps.workflows.models import Run, State, Workflow
from tests.web.test_search import embedded_search, workflow_with_steps
from tests.web.test_search_agents_tickets import _main, _recorded

pytestmark = pytest.mark.django_db

REMOTE_ACCESS = [
    {"kind": "action", "text": "Open the ticket"},
    {"kind": "wait", "text": "Wait for the VPN team"},
    {"kind": "action", "text": "Restart the VPN gateway"},
    {"kind": "action", "text": "Renew the user's certificates"},
]


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _remote_access(organization, *, agent="Tomás Ortega", steps=REMOTE_ACCESS):
    recording = _recorded(organization, title="Remote access", agent=agent, ticket="I1")
    Run.objects.filter(recording=recording).update(steps=steps)
    return recording


def _client(organization):
    client = Client()
    client.force_login(organization.memberships.first().user)
    return client


@pytest.mark.parametrize(
    ("query", "branches"),
    [
        ("Ortega VPN", ((Factor("Ortega"), Factor("VPN")),)),
        (
            '"paper tray" -toner',
            ((Factor('"paper tray"'), Factor("toner", negated=True)),),
        ),
        ("fat or rat cat", ((Factor("fat"),), (Factor("rat"), Factor("cat")))),
        ("or printer or", ((Factor("printer"),),)),
        ("tomas-ortega", ((Factor("tomas-ortega"),),)),
    ],
)
def test_query_branches_read_a_query_as_postgresql_does(query, branches):
    assert query_branches(query) == branches


def test_search_finds_a_recording_by_its_agent_and_a_step(organization, owner_client):
    recording = _remote_access(organization)

    main = _main(owner_client, "Ortega VPN")

    reasons = (
        "Agent: Tomás <mark>Ortega</mark> · "
        "Step 2: Restart the <mark>VPN</mark> gateway</span>"
    )
    assert f'href="/recordings/{recording.pk}/">Remote access</a>' in main
    assert f"recorded 4 Dec 2025, 08:00 · {reasons}" in main
    assert (
        f'Remote access workflow</a><span class="muted">Run “Remote access” · {reasons}'
        in main
    )


def test_search_marks_each_word_where_it_was_found(organization, owner_client):
    _remote_access(organization)

    main = _main(owner_client, "tomas certificate vpn")

    assert (
        "Agent: <mark>Tomás</mark> Ortega · "
        "Step 2: Restart the <mark>VPN</mark> gateway · "
        "Step 3: Renew the user&#x27;s <mark>certificates</mark></span>"
    ) in main


def test_search_finds_a_phrase_in_the_title_and_a_word_elsewhere(
    organization, owner_client
):
    _remote_access(organization)

    main = _main(owner_client, '"remote access" gateway')

    assert (
        '"><mark>Remote</mark> <mark>access</mark></a><span class="muted">'
        "recorded 4 Dec 2025, 08:00 · Tomás Ortega · "
        "Step 2: Restart the VPN <mark>gateway</mark></span>"
    ) in main
    assert (
        '<mark>Remote</mark> <mark>access</mark> workflow</a><span class="muted">'
        "Run “<mark>Remote</mark> <mark>access</mark>” · "
        "Step 2: Restart the VPN <mark>gateway</mark></span>"
    ) in main


@pytest.mark.parametrize(
    "query", ["Ortega printer", "Ortega -VPN", "Ortega VPN -certificates"]
)
def test_search_needs_every_word_somewhere_and_an_excluded_one_nowhere(
    organization, owner_client, query
):
    _remote_access(organization)

    main = _main(owner_client, query)

    assert f"Nothing in Acme IT matches “{query}”." in main


def test_search_spreads_only_the_words_of_one_alternative(organization, owner_client):
    _remote_access(organization)

    found = _main(owner_client, "printer toner or ortega vpn")
    neither = _main(owner_client, "printer vpn or ortega toner")

    assert "Step 2: Restart the <mark>VPN</mark> gateway" in found
    assert "Nothing in Acme IT matches" in neither


def test_search_past_ten_factors_looks_in_one_field_only(organization, owner_client):
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    _remote_access(organization, steps=[{"kind": "action", "text": words}])

    ten = _main(owner_client, "ortega " + words.rsplit(" ", 1)[0])
    eleven = _main(owner_client, "ortega " + words)

    assert "Remote access</a>" in ten
    assert "Nothing in Acme IT matches" in eleven


def test_search_finds_a_workflow_by_its_sop_and_its_runs(organization, owner_client):
    workflow = workflow_with_steps(organization, "Laptop rebuild", ["Image the disk"])
    for title, agent in (("Rebuild", "Amara Okafor"), ("Weber laptop", "Jonas")):
        recording = _recorded(organization, title=title, agent=agent, ticket="I1")
        Run.objects.filter(recording=recording).update(
            workflow=workflow, steps=[{"kind": "action", "text": "Call the user"}]
        )

    main = _main(owner_client, "okafor weber disk")

    url = workflow.get_absolute_url()
    assert (
        f'<li><a href="{url}">Laptop rebuild</a><span class="muted">'
        f'<a href="{url}#step-1">Step 1: Image the <mark>disk</mark></a> · '
        "Run “<mark>Weber</mark> laptop” · "
        "Run “Rebuild” · Agent: Amara <mark>Okafor</mark></span></li>"
    ) in main


def test_search_never_spreads_words_over_another_organizations_recordings(
    organization, other_organization, owner_client
):
    ours = _remote_access(organization, steps=[{"kind": "action", "text": "Call"}])
    theirs = _remote_access(other_organization)

    ours_found = _main(owner_client, "Ortega VPN")
    theirs_found = _main(_client(other_organization), "Ortega VPN")

    assert "Nothing in Acme IT matches “Ortega VPN”." in ours_found
    assert f'href="/recordings/{theirs.pk}/"' in theirs_found
    assert f'href="/recordings/{ours.pk}/"' not in theirs_found


def test_search_never_reads_another_organizations_rows_about_ours(
    organization, other_organization, owner_client
):
    recording = Recording.objects.create(
        organization=organization, title="Remote access", agent="Tomás Ortega"
    )
    workflow = workflow_with_steps(organization, "Handover", ["Call the user"])
    theirs = Recording.objects.create(
        organization=other_organization, title="Theirs", agent="Tomás Ortega"
    )
    their_workflow = Workflow.objects.create(
        organization=other_organization, title="Theirs", state=State.READY
    )
    # Rows of theirs naming our recording and workflow, as no service writes
    # them: the words of their steps must still never count for ours.
    Run.objects.create(
        organization=other_organization,
        workflow=their_workflow,
        recording=recording,
        steps=REMOTE_ACCESS,
    )
    Run.objects.create(
        organization=other_organization,
        workflow=workflow,
        recording=theirs,
        steps=REMOTE_ACCESS,
    )

    main = _main(owner_client, "Ortega VPN")

    assert "Nothing in Acme IT matches “Ortega VPN”." in main


def test_search_of_excluded_words_only_keeps_to_single_fields(
    organization, owner_client
):
    recording = _remote_access(organization)

    main = _main(owner_client, "-printer -toner")

    # The title holds neither word, so it is found by its title alone.
    assert (
        f'<a href="/recordings/{recording.pk}/">Remote access</a>'
        '<span class="muted">recorded 4 Dec 2025, 08:00 · Tomás Ortega</span>'
    ) in main


def test_search_escapes_the_name_of_a_run(organization, owner_client):
    recording = _remote_access(organization)
    Recording.objects.filter(pk=recording.pk).update(title="<b>Remote</b> access")

    main = _main(owner_client, "remote vpn")

    assert "<b>" not in main
    assert (
        "Run “&lt;b&gt;<mark>Remote</mark>&lt;/b&gt; access” · "
        "Step 2: Restart the <mark>VPN</mark> gateway"
    ) in main


def _service_desk(organization):
    """Return the recordings of three agents, as the demo holds them."""
    return {
        "ortega": _remote_access(organization),
        "raman": _recorded(
            organization,
            title="VPN login failures",
            agent="Priya Raman",
            ticket="INC0048213",
        ),
        "okafor": _recorded(
            organization,
            title="Laptop encryption recovery key request",
            agent="Amara Okafor",
            ticket="INC0048300",
        ),
    }


def _found(main, rows, url=lambda recording: f"/recordings/{recording.pk}/"):
    return sorted(name for name, row in rows.items() if f'href="{url(row)}"' in main)


WHOLE_QUERY = [
    ("VPN -Ortega", ["raman"]),
    ("-Ortega VPN", ["raman"]),
    ("Tomas -Ortega", []),
    ("-INC0048213 VPN", ["ortega"]),
    ("vpn or laptop", ["okafor", "ortega", "raman"]),
    ("ortega or okafor", ["okafor", "ortega"]),
    ("printer toner or ortega vpn", ["ortega"]),
    # A ticket number is one part: the others must be held too.
    ("INC0048213 Ortega", []),
    ("INC0048213 Priya", ["raman"]),
]


@pytest.mark.parametrize(("query", "found"), WHOLE_QUERY)
def test_search_finds_in_one_field_only_what_the_whole_query_allows(
    organization, owner_client, query, found
):
    recordings = _service_desk(organization)

    workflows = {
        name: Run.objects.get(recording=recording).workflow
        for name, recording in recordings.items()
    }

    main = _main(owner_client, query)

    assert _found(main, recordings) == found
    assert _found(main, workflows, url=lambda w: w.get_absolute_url()) == found


SQLITE_WHOLE_QUERY = """
import json
from django.conf import settings
from apps.web.search import search_terms
from apps.web.selectors import search
from tests.factories import organization_with_owner
from tests.web.test_search_spread import WHOLE_QUERY, _service_desk

settings.WORKFLOWS_GENERATE_ON_FINISH = False
ours, _ = organization_with_owner(name="Ours")
theirs, _ = organization_with_owner(name="Theirs")
_service_desk(theirs)
names = {r.pk: name for name, r in _service_desk(ours).items()}
print(json.dumps({
    query: sorted(
        names[row["recording"].pk]
        for row in search(organization=ours, terms=search_terms(query))["recordings"]
    )
    for query, _found in WHOLE_QUERY
}))
"""


@pytest.mark.slow
def test_search_on_the_embedded_database_reads_the_whole_query(tmp_path):
    found = embedded_search(tmp_path, SQLITE_WHOLE_QUERY)

    assert found == dict(WHOLE_QUERY)
