"""Search finds every matching step through one indexed row per step."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.recordings.models import Recording
from apps.web import selectors
from apps.web.search import search_terms
from apps.workflows.models import Run, SopVersion, State, Workflow
from tests.web.test_search import _main, workflow_with_steps
from tests.web.test_search_agents_tickets import _recorded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _rows(table, key, value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, text, words::text FROM {table} WHERE {key} = %s"
            " ORDER BY number",
            [value],
        )
        return cursor.fetchall()


def _runs(organization, steps_of_each):
    """Store one run per list of step texts, in one bulk insert, oldest first."""
    workflow = Workflow.objects.create(
        organization=organization, title="Printer jam", state=State.READY
    )
    recordings = Recording.objects.bulk_create(
        Recording(organization=organization, title=f"Jam {n}", agent="Li")
        for n in range(len(steps_of_each))
    )
    runs = zip(recordings, steps_of_each, strict=True)
    Run.objects.bulk_create(
        Run(
            organization=organization,
            workflow=workflow,
            recording=recording,
            steps=[{"kind": "action", "text": text} for text in texts],
        )
        for recording, texts in runs
    )
    return recordings


def test_each_step_is_a_row_written_with_the_steps(organization):
    workflow = workflow_with_steps(
        organization,
        "Printer jam",
        [
            "Open the <b>ticket</b> for Tomás",
            {"kind": "wait", "text": "Wait for Facilities"},
            {"kind": "note", "text": "Note: short", "note": "Reseat the toner"},
        ],
    )
    version = workflow.current_version

    before = _rows("web_search_step", "workflow_id", workflow.pk)
    SopVersion.objects.filter(pk=version.pk).update(steps=[{"text": "Call Marek"}])

    assert before == [
        (
            1,
            "Open the <b>ticket</b> for Tomás",
            "'/b':5 'b':3 'open':1 'ticket':4 'toma':7",
        ),
        (2, "Note: Reseat the toner", "'note':1 'reseat':2 'toner':4"),
    ]
    assert _rows("web_search_step", "workflow_id", workflow.pk) == [
        (1, "Call Marek", "'call':1 'marek':2")
    ]


def test_recorded_step_rows_are_indexed_by_recording_and_number():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes"
            " WHERE indexname = 'web_search_recorded_step_recording'"
        )
        (definition,) = cursor.fetchone()

    assert definition.endswith(
        "ON public.web_search_recorded_step USING btree (recording_id, number)"
    )


def test_search_finds_a_step_in_the_last_of_sixty_runs_that_all_match(
    organization, owner_client
):
    # Every run holds "printer" and "spooler"; only the oldest holds both
    # in one step, and is the last of the sixty by rank then age. The others
    # hold them in two steps, so they come after it.
    filler = [f"Check the printer tray {n}" for n in range(20)]
    filler += [f"Restart the spooler {n}" for n in range(20)]
    _runs(organization, [["Restart the printer spooler", *filler]] + [filler] * 59)

    page = _main(owner_client, "printer spooler")

    found = page[page.index('id="found-recordings"') :].split("<li ")[1:]
    assert re.findall(r"Jam \d+", found[0]) == ["Jam 0"]
    assert "Step 1: Restart the <mark>printer</mark> <mark>spooler</mark>" in found[0]
    assert (
        "Step 1: Check the <mark>printer</mark> tray 0 · "
        "Step 21: Restart the <mark>spooler</mark> 0</span>"
    ) in found[1]


def test_an_edited_step_is_found_at_once(organization, owner_client):
    workflow = workflow_with_steps(organization, "Printer jam", ["Reseat the toner"])
    first = workflow.current_version

    SopVersion.objects.filter(pk=first.pk).update(
        steps=[{"text": "Clear the paper tray"}]
    )
    edited = _main(owner_client, "tray")
    toner = _main(owner_client, "toner")
    second = SopVersion.objects.get(pk=first.pk)
    second.pk, second.number, second.key = None, 2, "edited"
    second.steps = [{"text": "Call the spooler team"}]
    second.save()
    Workflow.objects.filter(pk=workflow.pk).update(current_version=second)
    current = _main(owner_client, "spooler or tray")

    assert "Clear the paper <mark>tray</mark>" in edited
    assert 'id="found-steps"' not in toner
    assert "Call the <mark>spooler</mark> team" in current
    assert "paper" not in current


def test_search_never_shows_another_organizations_steps(
    organization, other_organization, owner_client
):
    workflow_with_steps(other_organization, "Globex jam", ["Reseat the toner"])
    _runs(other_organization, [["Reseat the toner in Globex"]])
    workflow_with_steps(organization, "Acme jam", ["Reseat the toner"])

    page = _main(owner_client, "toner")

    assert page.count("Reseat the <mark>toner</mark>") == 1
    assert "Acme jam" in page
    assert "Globex" not in page


def test_a_deleted_runs_steps_are_gone(organization, owner_client):
    (kept, deleted) = _runs(
        organization, [["Reseat the toner"], ["Reseat the toner again"]]
    )
    run = Run.objects.get(recording=deleted)

    deleted.delete()
    page = _main(owner_client, "toner")

    assert "Run “Jam 0” · Step 1: Reseat the <mark>toner</mark>" in page
    assert "Jam 1" not in page
    assert _rows("web_search_recorded_step", "run_id", run.pk) == []


def test_truncating_the_runs_empties_their_rows(organization):
    _runs(organization, [["Reseat the toner"]])

    with connection.cursor() as cursor:
        # The test's transaction holds the foreign keys' deferred checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE workflows_run CASCADE")
        cursor.execute("SELECT count(*) FROM web_search_recorded_step")
        (left,) = cursor.fetchone()

    assert left == 0


def test_search_finds_a_phrase_and_a_step_without_an_excluded_word(
    organization, owner_client
):
    recording = _recorded(organization, title="Handover", agent="Li", ticket="INC1")
    Run.objects.filter(recording=recording).update(
        steps=[
            {"kind": "action", "text": "Clear the printer jam"},
            {"kind": "action", "text": "Clear the printer network jam"},
        ]
    )

    phrase = _main(owner_client, '"printer jam"')
    swapped = _main(owner_client, '"jam printer"')
    # A recording one of whose steps holds the excluded word is left out.
    other = _recorded(organization, title="Relay", agent="Li", ticket="INC2")
    Run.objects.filter(recording=other).update(
        steps=[{"kind": "action", "text": "Clear the printer jam"}]
    )
    excluded = _main(owner_client, "printer -network")

    assert "Step 1: Clear the <mark>printer</mark> <mark>jam</mark>" in phrase
    assert "Step 2" not in phrase
    assert "Nothing in Acme IT matches" in swapped
    assert f'href="/recordings/{other.pk}/">Relay</a>' in excluded
    assert "Step 1: Clear the <mark>printer</mark> jam" in excluded
    assert f'href="/recordings/{recording.pk}/"' not in excluded


def test_search_of_excluded_words_only_finds_the_steps_without_them(
    organization, owner_client
):
    workflow_with_steps(
        organization, "Printer jam", ["Open the ticket", "Check the network"]
    )

    page = _main(owner_client, "-network")

    assert 'id="found-steps"' in page
    assert "Open the ticket" in page
    assert "Check the network" not in page


def test_a_run_of_twelve_thousand_steps_is_searched_to_its_last(
    organization, owner_client
):
    recording = _recorded(organization, title="Huge", agent="Li", ticket="INC1")
    words = [{"kind": "action", "text": f"w{n:07d}x" * 12} for n in range(12_000)]
    words.append({"kind": "action", "text": "Restart the spooler"})
    Run.objects.filter(recording=recording).update(steps=words)

    page = _main(owner_client, "spooler")

    assert "Run “Huge” · Step 12001: Restart the <mark>spooler</mark>" in page


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("printer", 7),
        ("INC0048760", 7),
        # One to read the factors, one per kind of result found in one field
        # to check it holds them all, one per kind they may be spread over,
        # and none more when nothing is found so.
        ("printer INC0048760", 12),
    ],
)
def test_search_takes_one_query_per_kind_of_result(organization, query, count):
    workflow_with_steps(organization, "Printer jam", ["Reseat the toner"])
    _recorded(organization, title="Printer jam", agent="Li", ticket="INC0048760")
    terms = search_terms(query)

    with CaptureQueriesContext(connection) as queries:
        selectors.search(organization=organization, terms=terms)

    assert len(queries) == count
