"""Search's recorded steps through the index against the unindexed view.

Creates its own PostgreSQL database and migrates it, stores 1,000 runs of
100 recorded steps in one organization (``--runs``, ``--steps``), then, per
query and in alternating rounds, times:

- indexed: what search does, ``apps.web.selectors._recorded_steps`` (the
  runs whose stored words match, through the GIN index, then only their
  steps ranked and marked), its best 50 steps read;
- unindexed: the query search made before, every step of the organization
  read through the view ``web_search_recorded_step``, turned into words,
  ranked and marked, its best 50 steps read.

Prints every round, the medians and the ratio unindexed ÷ indexed (above 1
the index is faster), then drops the database.
Run: ``.venv/bin/python bench/search.py`` (``--help`` for sizes).
"""

import argparse
import os
import random
import statistics
import time

from generate import organization_for_bench, scratch_database

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


def indexed(organization, terms):
    from apps.web import selectors

    return list(selectors._recorded_steps(organization, terms)[:50])


def unindexed(organization, terms):
    from apps.recordings.selectors import recording_list
    from apps.web import selectors
    from apps.web.models import SearchRecordedStep

    steps = SearchRecordedStep.objects.for_organization(organization).filter(
        recording__in=recording_list(organization=organization).values("pk")
    )
    steps = steps.select_related("recording__created_by")
    return list(selectors._matches(steps, "text", terms)[:50])


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def bench_query(organization, query, rounds):
    from apps.web.search import search_terms

    terms = search_terms(query)
    rows = []
    for round_number in range(rounds):
        # Alternate which goes first so that warm caches favour neither.
        if round_number % 2:
            old_s, old = timed(unindexed, organization, terms)
            new_s, new = timed(indexed, organization, terms)
        else:
            new_s, new = timed(indexed, organization, terms)
            old_s, old = timed(unindexed, organization, terms)
        rows.append({"indexed": new_s, "unindexed": old_s, "ratio": old_s / new_s})
        print(
            f"  {query!r:>24} round {round_number + 1}: indexed {new_s:7.3f} s "
            f"({len(new)} steps) | unindexed {old_s:7.3f} s ({len(old)} steps)",
            flush=True,
        )
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main():
    args = parse_args()
    with scratch_database(f"ledgerium_bench_search_{os.getpid()}"):
        started = time.perf_counter()
        organization = organization_with_runs(args.runs, args.steps)
        print(
            f"{args.runs} runs of {args.steps} steps stored in "
            f"{time.perf_counter() - started:.1f} s (words computed on write)"
        )
        results = {
            query: bench_query(organization, query, args.rounds) for query in QUERIES
        }
        report(results)


def report(results):
    print("\nMedians (seconds)")
    print(f"{'query':>24} {'indexed':>9} {'unindexed':>10} {'unindexed/indexed':>18}")
    for query, row in results.items():
        print(
            f"{query!r:>24} {row['indexed']:>9.3f} {row['unindexed']:>10.3f} "
            f"{row['ratio']:>18.1f}"
        )


if __name__ == "__main__":
    main()
