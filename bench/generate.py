"""Finish to ready for recordings of 100, 1,000 and 10,000 events.

Creates its own PostgreSQL database and migrates it, imports one synthetic
recording per size (``tests/workflows/recording_factory.synthetic``) and
times, in alternating rounds:

- finish to ready: ``workflow_generate`` plus ``run_build`` as the Celery
  task runs them: load the events, build everything, render, store;
- its parts, on the same events: step building (the pure core: steps,
  phases, SOP, Markdown, Mermaid and BPMN source), map rendering (Mermaid in
  the warm Chromium page) and the PDF (our HTML plus WeasyPrint);
- the baseline: WeasyPrint alone turning the same finished HTML into a PDF.

Prints every round, the medians and the PDF's overhead over WeasyPrint
alone (target: under 25%), then drops the database.
Run: ``.venv/bin/python bench/generate.py`` (``--help`` for sizes).
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET = 0.25


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--big-rounds", type=int, default=1, help="Rounds for 10,000 events and up."
    )
    return parser.parse_args()


def setup_django(database):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ledgerium.settings.test"
    os.environ["DATABASE_URL"] = f"{SERVER}/{database}"
    os.environ.setdefault("LEDGERIUM_TEST_RUN_ID", f"bench{os.getpid()}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def scratch_database(database):
    """Create ``database``, set Django up on it migrated, and drop it after."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        setup_django(database)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def timed_in_turn(round_number, first, second):
    """Time the calls ``first`` and ``second``; return both ``(seconds, result)``.

    Every other round runs ``second`` first, so that warm caches favour
    neither.
    """
    if round_number % 2:
        second_timed = timed(second)
        return timed(first), second_timed
    return timed(first), timed(second)


def cpu_timed(function, *args, **kwargs):
    """Return ``(wall, cpu, result)``; CPU time of this process only.

    Both PDF paths run in this process on one thread, so their CPU time is
    far less moved by other work on the machine than their wall time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def organization_for_bench():
    from apps.accounts.models import Plan
    from apps.accounts.services import organization_create, user_create

    plan, _created = Plan.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "monthly_workflow_limit": None}
    )
    owner = user_create(email=f"bench-{uuid.uuid4().hex[:8]}@example.test")
    return organization_create(name="Bench IT", owner=owner, plan=plan), owner


def import_recording(organization, owner, size, seed):
    import msgspec

    from apps.recordings.services import recording_import
    from tests.workflows import recording_factory as rf

    recording = msgspec.structs.replace(
        rf.synthetic(size, seed=seed), id=str(uuid.uuid4())
    )
    return recording_import(
        organization=organization, user=owner, document=rf.encode(recording)
    )


def finish_to_ready(organization, recording):
    from apps.workflows import selectors, services

    started = time.perf_counter()
    services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    return time.perf_counter() - started


def parts(recording, baseline_first=False):
    from apps.recordings.selectors import recording_events
    from apps.workflows import documents
    from apps.workflows.pipeline import generate

    events = recording_events(recording=recording)
    steps_s, generated = timed(
        generate, events, title=recording.title, privacy=recording.privacy
    )
    document = documents.document_data(generated.sop)
    map_s, svg = timed(documents.render_map_svg, generated.mermaid)
    options = {
        "document": document,
        "organization_name": "Bench IT",
        "version_number": 1,
        "svg": svg,
    }
    html = documents.pdf_html(**options)
    # Alternate which goes first so that warm caches favour neither.
    if baseline_first:
        alone_s, alone_cpu, _pdf = cpu_timed(documents.html_to_pdf, html)
        pdf_s, pdf_cpu, _pdf = cpu_timed(documents.render_pdf, **options)
    else:
        pdf_s, pdf_cpu, _pdf = cpu_timed(documents.render_pdf, **options)
        alone_s, alone_cpu, _pdf = cpu_timed(documents.html_to_pdf, html)
    return {
        "steps": steps_s,
        "map": map_s,
        "pdf": pdf_s,
        "weasyprint": alone_s,
        # Paired in one round, side by side: what load does to one, it
        # mostly does to the other.
        "ratio": pdf_s / alone_s,
        "cpu_ratio": pdf_cpu / alone_cpu,
        "step_count": len(generated.steps),
    }


def bench_size(organization, owner, size, rounds):
    rows = []
    for round_number in range(rounds):
        recording = import_recording(organization, owner, size, seed=round_number + 1)
        total = finish_to_ready(organization, recording)
        measured = parts(recording, baseline_first=round_number % 2 == 1)
        measured["total"] = total
        rows.append(measured)
        print(
            f"  {size:>6} events round {round_number + 1}: "
            f"finish→ready {total:7.2f} s | steps {measured['steps']:6.3f} s | "
            f"map {measured['map']:6.2f} s | pdf {measured['pdf']:7.2f} s | "
            f"weasyprint alone {measured['weasyprint']:7.2f} s | "
            f"cpu ratio {measured['cpu_ratio']:5.3f} | "
            f"{measured['step_count']} steps",
            flush=True,
        )
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main():
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with scratch_database(f"ledgerium_bench_generate_{os.getpid()}"):
        from apps.workflows import documents, render

        cold_s, _svg = timed(documents.render_map_svg, "flowchart TB\n  a --> b\n")
        print(f"Chromium start with Mermaid loaded (once per worker): {cold_s:.2f} s")
        warm_s, _pdf = timed(documents.html_to_pdf, "<p>warm-up</p>")
        print(f"WeasyPrint first use (fonts, once per worker): {warm_s:.2f} s")
        organization, owner = organization_for_bench()
        results = {}
        for size in sizes:
            rounds = args.big_rounds if size >= 10_000 else args.rounds
            results[size] = bench_size(organization, owner, size, rounds)
        report(results)
        render.shutdown()


def report(results):
    print("\nMedians (seconds)")
    print(
        f"{'events':>7} {'steps':>6} {'finish→ready':>13} {'step building':>14} "
        f"{'map':>7} {'pdf':>8} {'weasyprint':>11} {'pdf/weasyprint':>15}"
    )
    for size, row in results.items():
        ratio = row["ratio"]
        print(
            f"{size:>7} {row['step_count']:>6.0f} {row['total']:>13.2f} "
            f"{row['steps']:>14.3f} {row['map']:>7.2f} {row['pdf']:>8.2f} "
            f"{row['weasyprint']:>11.2f} {ratio:>34.3f}"
        )
    for size, row in results.items():
        print(
            f"{size:>7} events: PDF CPU time / WeasyPrint alone {row['cpu_ratio']:.3f}"
        )
    worst = max(row["cpu_ratio"] - 1 for row in results.values())
    verdict = "within" if worst < TARGET else "OVER"
    print(
        f"\nPDF overhead over WeasyPrint alone in CPU time, worst size: "
        f"{worst:+.1%} ({verdict} the 25% target)"
    )


if __name__ == "__main__":
    main()
