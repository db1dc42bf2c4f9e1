"""Search reads steps only of the runs and versions whose stored words match."""

import pytest
from django.db import connection

from apps.web import selectors
from apps.web.search import loosened_query
from apps.workflows.models import Run, SopVersion
from tests.web.test_search import _main, workflow_with_steps
from tests.web.test_search_agents_tickets import _recorded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


@pytest.mark.parametrize(
    ("tree", "loosened"),
    [
        ("'printer'", "'printer'"),
        ("'quick' <-> 'fox' & 'jam'", "'quick' & 'fox' & 'jam'"),
        ("'a' <2> 'b' | 'c'", "'a' & 'b' | 'c'"),
        ("'it''s <-> here' <-> 'x'", "'it''s <-> here' & 'x'"),
        ("T", None),
        ("", None),
    ],
)
def test_loosened_query_wants_a_phrases_words_in_any_order(tree, loosened):
    assert loosened_query(tree) == loosened


def _stored_words(model, pk):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT web_search_words FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_stored_words_follow_the_steps_written(organization):
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

    before = _stored_words(SopVersion, version.pk)
    SopVersion.objects.filter(pk=version.pk).update(steps=[{"text": "Call Marek"}])

    assert before == "'/b' 'b' 'note' 'open' 'reseat' 'ticket' 'toma' 'toner'"
    assert _stored_words(SopVersion, version.pk) == "'call' 'marek'"


def test_search_finds_a_phrase_and_a_step_without_an_excluded_word(
    organization, owner_client
):
    recording = _recorded(organization, title="Handover", agent="Li", ticket="INC1")
    Run.objects.filter(recording=recording).update(
        steps=[
            {"kind": "action", "text": "Clear the printer jam"},
            {"kind": "action", "text": "Check the network cable"},
        ]
    )

    phrase = _main(owner_client, '"printer jam"')
    excluded = _main(owner_client, "printer -network")
    swapped = _main(owner_client, '"jam printer"')

    assert "Step 1: Clear the <mark>printer</mark> <mark>jam</mark>" in phrase
    assert "Step 1: Clear the <mark>printer</mark> jam" in excluded
    assert "Nothing in Acme IT matches" in swapped


def test_search_of_excluded_words_only_finds_no_steps(organization, owner_client):
    workflow_with_steps(organization, "Printer jam", ["Open the ticket"])

    page = _main(owner_client, "-network")

    assert '<a href="/workflows/' in page
    assert 'id="found-steps"' not in page


def test_search_reads_the_steps_of_the_best_then_newest_runs_only(
    organization, owner_client, monkeypatch
):
    monkeypatch.setattr(selectors, "SEARCH_STEPS_READ", 3)
    both = _recorded(organization, title="Both", agent="Li", ticket="INC1")
    newer = _recorded(organization, title="Newer", agent="Li", ticket="INC2")
    Run.objects.filter(recording=both).update(
        steps=[
            {"kind": "action", "text": "Restart the spooler"},
            {"kind": "action", "text": "Open the ticket"},
            {"kind": "action", "text": "Close the ticket"},
        ]
    )
    Run.objects.filter(recording=newer).update(
        steps=[{"kind": "action", "text": "Restart the spooler"}] * 3
    )

    spooler = _main(owner_client, "spooler")
    either = _main(owner_client, "spooler or ticket")

    assert "Run “Newer” · Step 1: Restart the <mark>spooler</mark>" in spooler
    assert "Both" not in spooler
    assert "Run “Both” · Step 1: Restart the <mark>spooler</mark>" in either
    assert "Newer" not in either


def test_a_run_too_rich_in_words_stores_none_and_is_still_searched(
    organization, owner_client
):
    recording = _recorded(organization, title="Huge", agent="Li", ticket="INC1")
    # Over a megabyte of distinct words, more than a tsvector holds.
    words = [{"kind": "action", "text": f"w{n:07d}x" * 12} for n in range(12_000)]
    words.append({"kind": "action", "text": "Restart the spooler"})
    Run.objects.filter(recording=recording).update(steps=words)
    run = Run.objects.get(recording=recording)

    page = _main(owner_client, "spooler")

    assert _stored_words(Run, run.pk) is None
    assert "Run “Huge” · Step 12001: Restart the <mark>spooler</mark>" in page
