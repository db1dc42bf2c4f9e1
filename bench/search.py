"""Search's recorded steps through their indexed rows against the old view.

Creates its own PostgreSQL database and migrates it, stores 1,000 runs of
100 recorded steps in one organization (``--runs``, ``--steps``), their
recordings by four agents in turn, then, per query and in alternating
rounds, times:

- indexed: what search does, ``apps.web.selectors._recorded_steps``: the
  table ``web_search_recorded_step``, one row per step with its words under
  a GIN index, ranked and limited, the best 50 steps marked, but those of
  the runs whose workflow holds the query by itself (the runs' workflow
  has an SOP of a few steps, none holding a query's words);
- unindexed: the query search made before ``web.0006``, the same ORM query
  over the view ``web_search_recorded_step`` of ``web.0006`` (created here
  in the schema ``unindexed``, which the query reads first): every step of
  the organization turned into words, ranked and marked.

Then, for queries whose words lie in different fields of a recording (its
agent's name, its title, its steps), it times finding the recordings that
hold them between their fields, ``apps.web.selectors._recordings_spread``
with the reasons it gives, on the indexed rows and on the same view with
each step's words made as it is read.

Prints every round with what each found and whether both found the same
in the same order, marked alike; the medians and the ratio unindexed ÷
indexed (above 1 the index is faster), then drops the database.
Run: ``.venv/bin/python bench/search.py`` (``--help`` for sizes).
"""

import argparse
import functools
import importlib
import os
import random
import statistics
import time

from generate import organization_for_bench, scratch_database, timed_in_turn

QUERIES = ("printers", "printer network button", "zzzz", '"paper tray" -toner')
SPREAD_QUERIES = (
    "ortega vpn",
    "ortega vpn gateway",
    "jam okafor -zzzz",
    "ortega zzzz",
)
AGENTS = ("Li", "Tomás Ortega", "Amara Okafor", "Jonas Weber")
SOP_STEPS = ("Read the incident", "Escalate to the second line", "Close it")
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
    from apps.workflows.models import Run, SopVersion, State, Workflow

    organization, _owner = organization_for_bench()
    workflow = Workflow.objects.create(
        organization=organization, title="Service desk", state=State.READY
    )
    workflow.current_version = SopVersion.objects.create(
        organization=organization,
        workflow=workflow,
        number=1,
        key="bench",
        reason=SopVersion.Reason.GENERATED,
        steps=[{"kind": "action", "text": text} for text in SOP_STEPS],
        markdown="",
        html="",
        mermaid="",
        bpmn="",
    )
    workflow.save(update_fields=["current_version"])
    recordings = Recording.objects.bulk_create(
        Recording(
            organization=organization,
            title=f"Printer jam {n}",
            agent=AGENTS[n % len(AGENTS)],
        )
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
    # Spread search reads each step's words: here made as the step is read,
    # by the function the triggers write the indexed rows with.
    words = view.replace(
        " AS text\n", " AS text,\n       public.web_search_words({text}) AS words\n"
    ).replace("{text}", "web_search_recorded_text(step.value)")
    if words == view:
        raise ValueError("The view of web.0006 no longer ends its columns with text.")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA unindexed")
        cursor.execute(words)


def prepared(organization, query):
    """Return what search reads of ``query`` before it looks for anything."""
    from apps.web import selectors
    from apps.web.search import search_terms

    terms = search_terms(query)
    branches = selectors._query_branches(terms)
    return {
        "terms": terms,
        "spread": selectors._spread_branches(branches),
        "left_out": selectors._steps_left_out(organization, branches),
    }


def indexed(organization, query):
    from apps.web import selectors

    steps = selectors._recorded_steps(organization, query["terms"], query["left_out"])
    return list(steps[:50])


def unindexed(organization, query):
    from apps.recordings.selectors import recording_list
    from apps.web import selectors
    from apps.web.models import SearchRecordedStep

    steps = SearchRecordedStep.objects.for_organization(organization).filter(
        recording__in=recording_list(organization=organization).values("pk")
    )
    steps = steps.exclude(recording__in=query["left_out"])
    steps = steps.select_related("recording__created_by")
    return unindexed_path(
        lambda: list(selectors._matches(steps, "text", query["terms"])[:50])
    )


def unindexed_path(function, *args):
    """Return ``function(*args)`` reading the views of the schema ``unindexed``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET search_path = unindexed, public")
        try:
            return function(*args)
        finally:
            cursor.execute("RESET search_path")


def found(steps):
    return [(step.recording_id, step.number, step.headline) for step in steps]


def spread(organization, query):
    from apps.web import selectors

    return selectors._recordings_spread(
        organization, query["spread"], exclude=[], left_out=query["left_out"]
    )


def spread_found(rows):
    return [(row["recording"].pk, row["title"], row["reasons"]) for row in rows]


def bench_query(organization, query, rounds, kind="steps"):
    read = prepared(organization, query)
    if kind == "steps":
        new_run, old_run, same_of = indexed, unindexed, found
    else:
        new_run = spread
        old_run = functools.partial(unindexed_path, spread)
        same_of = spread_found
    rows = []
    for round_number in range(rounds):
        (new_s, new), (old_s, old) = timed_in_turn(
            round_number,
            lambda: new_run(organization, read),
            lambda: old_run(organization, read),
        )
        same = same_of(new) == same_of(old)
        rows.append({"indexed": new_s, "unindexed": old_s, "ratio": old_s / new_s})
        print(
            f"  {query!r:>24} round {round_number + 1}: indexed {new_s:7.3f} s "
            f"({len(new)} {kind}) | unindexed {old_s:7.3f} s ({len(old)} {kind})"
            f" | {'same ' + kind if same else 'DIFFERENT ' + kind.upper()}",
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
        spread_results = {
            query: bench_query(organization, query, args.rounds, "recordings")
            for query in SPREAD_QUERIES
        }
        report(results, "Recorded steps")
        report(spread_results, "Recordings by words spread over their fields")


def report(results, title):
    print(f"\n{title}: medians (seconds)")
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
