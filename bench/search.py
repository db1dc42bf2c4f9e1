"""Search's recorded steps through their indexed rows against the old view.

Creates its own PostgreSQL database and migrates it, stores 1,000 runs of
100 recorded steps in one organization (``--runs``, ``--steps``), then, per
query and in alternating rounds, times:

- indexed: what search does, ``apps.web.selectors._recorded_steps``: the
  table ``web_search_recorded_step``, one row per step with its words under
  a GIN index, ranked and limited, the best 50 steps marked;
- unindexed: the query search made before ``web.0006``, the same ORM query
  over the view ``web_search_recorded_step`` of ``web.0006`` (created here
  in the schema ``unindexed``, which the query reads first): every step of
  the organization turned into words, ranked and marked.

Prints every round with the steps each found and whether they are the same
steps in the same order, marked alike; the medians and the ratio unindexed
÷ indexed (above 1 the index is faster), then drops the database.
Run: ``.venv/bin/python bench/search.py`` (``--help`` for sizes).
"""

import argparse
import importlib
import os
import random
import statistics
import time

from generate import organization_for_bench, scratch_database, timed_in_turn

QUERIES = ("printers", "printer network button", "zzzz", '"paper tray" -toner')
WORDS = (
    "printer network button paper tray toner queue driver spooler ticket "
    "caller laptop vpn gateway certificate mailbox password account group"
).split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def organization_with_runs(runs, steps):
    from django.db import connection

    from apps.recordings.models import Recording
    from apps.workflows.models import Run, State, Workflow

    organization, _owner = organization_for_bench()
    workflow = Workflow.objects.create(
        organization=organization, title="Printer jam", state=State.READY
    )
    recordings = Recording.objects.bulk_create(
        Recording(organization=organization, title=f"Printer jam {n}", agent="Li")
        for n in range(runs)
    )
    chance = random.Random(42)
    Run.objects.bulk_create(
        (
            Run(
                organization=organization,
                workflow=workflow,
                recording=recording,
                state=State.READY,
                steps=recorded_steps(chance, steps),
                step_count=steps,
            )
            for recording in recordings
        ),
        batch_size=100,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organization


def recorded_steps(chance, count):
    return [
        {
            "kind": "action",
            "text": f"Click {' '.join(chance.sample(WORDS, 3))} on page {number}",
        }
        for number in range(count)
    ]


def create_unindexed_view():
    from django.db import connection

    vectors = importlib.import_module("apps.web.migrations.0006_search_vectors")
    view = vectors.RECORDED_STEP_VIEW.replace(
        "CREATE VIEW web_search_recorded_step",
        "CREATE VIEW unindexed.web_search_recorded_step",
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA unindexed")
        cursor.execute(view)


def indexed(organization, terms):
    from apps.web import selectors

    return list(selectors._recorded_steps(organization, terms)[:50])


def unindexed(organization, terms):
    from django.db import connection

    from apps.recordings.selectors import recording_list
    from apps.web import selectors
    from apps.web.models import SearchRecordedStep

    steps = SearchRecordedStep.objects.for_organization(organization).filter(
        recording__in=recording_list(organization=organization).values("pk")
    )
    steps = steps.select_related("recording__created_by")
    with connection.cursor() as cursor:
        cursor.execute("SET search_path = unindexed, public")
        try:
            return list(selectors._matches(steps, "text", terms)[:50])
        finally:
            cursor.execute("RESET search_path")


def found(steps):
    return [(step.recording_id, step.number, step.headline) for step in steps]


def bench_query(organization, query, rounds):
    from apps.web.search import search_terms

    terms = search_terms(query)
    rows = []
    for round_number in range(rounds):
        (new_s, new), (old_s, old) = timed_in_turn(
            round_number,
            lambda: indexed(organization, terms),
            lambda: unindexed(organization, terms),
        )
        same = found(new) == found(old)
        rows.append({"indexed": new_s, "unindexed": old_s, "ratio": old_s / new_s})
        print(
            f"  {query!r:>24} round {round_number + 1}: indexed {new_s:7.3f} s "
            f"({len(new)} steps) | unindexed {old_s:7.3f} s ({len(old)} steps)"
            f" | {'same steps' if same else 'DIFFERENT STEPS'}",
            flush=True,
        )
    medians = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
    return {**medians, "found": f"{len(new)} / {len(old)}", "same": same}


def main():
    args = parse_args()
    with scratch_database(f"ledgerium_bench_search_{os.getpid()}"):
        started = time.perf_counter()
        organization = organization_with_runs(args.runs, args.steps)
        print(
            f"{args.runs} runs of {args.steps} steps stored in "
            f"{time.perf_counter() - started:.1f} s (step rows written on write)"
        )
        create_unindexed_view()
        results = {
            query: bench_query(organization, query, args.rounds) for query in QUERIES
        }
        report(results)


def report(results):
    print("\nMedians (seconds)")
    print(
        f"{'query':>24} {'indexed':>9} {'unindexed':>10} {'unindexed/indexed':>18}"
        f" {'found new / old':>16} same"
    )
    for query, row in results.items():
        print(
            f"{query!r:>24} {row['indexed']:>9.3f} {row['unindexed']:>10.3f} "
            f"{row['ratio']:>18.1f} {row['found']:>16} {row['same']}"
        )


if __name__ == "__main__":
    main()
