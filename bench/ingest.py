"""Events per second through the ingest API, next to a plain psycopg COPY.

Creates its own PostgreSQL database, migrates it, starts gunicorn on
127.0.0.1 with the production settings, and in alternating rounds:

- API: posts pre-encoded batches of events to
  ``/api/v1/recordings/<id>/events/`` from several client threads, each
  request authenticated by token, validated, redacted, deduplicated and
  stored by COPY, as in production;
- COPY: copies the same rows, as the API stores them, into a scratch table
  with the same columns and indexes, over one connection.

Prints each round, the medians and the ratio API / COPY, then drops the
database. Run: ``.venv/bin/python bench/ingest.py`` (``--help`` for sizes).
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET = 0.25

TITLES = [
    "INC00{n} | Incident | ServiceNow",
    "Incidents | ServiceNow",
    "Service Desk - Grafana",
    "Users - Active Directory Admin Center",
    "#service-desk | Slack",
]
PATHS = ["/incident.do", "/nav_to.do", "/d/service-health", "/users", "/messages"]
LABELS = [
    "Priority",
    "Assignment group",
    "Short description",
    "State",
    "Category",
    "Caller",
    "Resolution code",
]
NAMES = ["Save", "Update", "Resolve", "Search", "Reset password", "Unlock account"]
CHOICES = ["2 - High", "Network Ops", "In Progress", "Resolved", "Hardware"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=40)
    parser.add_argument("--batches", type=int, default=5, help="Per recording.")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


# ------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------
def make_event(rng, seq, incident):
    kind = rng.choice(["click", "click", "field_edited", "choice_made", "navigation"])
    event = {
        "seq": seq,
        "ts": 1_767_000_000_000 + seq * 850,
        "type": kind,
        "tab": 1,
        "origin": "https://acme.service-now.com",
        "path": rng.choice(PATHS),
        "title": rng.choice(TITLES).format(n=incident),
        "system": "ServiceNow",
        "system_kind": "itsm",
    }
    if kind == "click":
        event.update(name=rng.choice(NAMES), role="button")
    elif kind == "navigation":
        event.update(nav="load")
    else:
        event.update(label=rng.choice(LABELS), field_kind="select", role="combobox")
        if kind == "choice_made":
            event["value"] = rng.choice(CHOICES)
    return event


def make_workload(args):
    """Return ``[(recording_id, [batch body, ...])]``, bodies pre-encoded."""
    rng = random.Random(1849)
    workload = []
    for index in range(args.recordings):
        incident = 10_000 + index
        batches = []
        for batch in range(args.batches):
            first = batch * args.batch_size + 1
            events = [
                make_event(rng, seq, incident)
                for seq in range(first, first + args.batch_size)
            ]
            batches.append(json.dumps({"events": events}).encode())
        workload.append((str(uuid.UUID(int=rng.getrandbits(128))), batches))
    return workload


# ------------------------------------------------------------------------------
# Database and server
# ------------------------------------------------------------------------------
def server_env(database):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ledgerium.settings.production",
        "DATABASE_URL": f"{SERVER}/{database}",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-use",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        # The throttle still runs on every request; it just never refuses.
        "LEDGERIUM_API_RATE": "100000000/min",
    }


def create_database(database):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')


def drop_database(database):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate_and_make_token():
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.accounts.services import api_token_create, organization_create

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(email="bench@example.test", password="x")
    organization = organization_create(name="Bench", owner=owner)
    membership = organization.memberships.get(user=owner)
    _token, raw = api_token_create(membership=membership, name="bench")
    return organization, raw


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, workers):
    server = subprocess.Popen(
        [
            GUNICORN,
            "ledgerium.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body = request(port, "GET", "/api/schema/", None, {})
            if status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def request(port, method, path, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ------------------------------------------------------------------------------
# Rounds
# ------------------------------------------------------------------------------
def reset_tables(connection):
    connection.execute(
        "TRUNCATE recordings_event, recordings_rawbatch, recordings_recording, "
        "bench_copy_event CASCADE"
    )
    connection.commit()


def api_round(port, token, workload, clients):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for recording_id, _batches in workload:
        body = json.dumps({"id": recording_id, "title": "Bench"}).encode()
        status, answer = request(port, "POST", "/api/v1/recordings/", body, headers)
        assert status == 201, (status, answer[:300])

    jobs = [
        (f"/api/v1/recordings/{recording_id}/events/", body)
        for recording_id, batches in workload
        for body in batches
    ]
    random.Random(7).shuffle(jobs)
    failures = []
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not jobs:
                    return
                path, body = jobs.pop()
            status, answer = request(port, "POST", path, body, headers)
            if status != 200:
                failures.append((status, answer[:300]))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures[:3]
    return elapsed


def stored_rows(connection):
    """Return the rows the API stored, to COPY the very same ones."""
    return connection.execute(
        "SELECT organization_id, recording_id, seq, client_ts, ts, type, data::text "
        "FROM recordings_event"
    ).fetchall()


def copy_round(connection, rows):
    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY bench_copy_event "
            "(organization_id, recording_id, seq, client_ts, ts, type, data) "
            "FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
    connection.commit()
    return time.perf_counter() - started


def main():
    args = parse_args()
    database = f"ledgerium_bench_{os.getpid()}"
    env = server_env(database)
    workload = make_workload(args)
    total = args.recordings * args.batches * args.batch_size
    print(
        f"{total:,} events: {args.recordings} recordings x {args.batches} batches "
        f"of {args.batch_size}; {args.clients} clients, {args.workers} workers"
    )

    create_database(database)
    server = None
    try:
        setup_django(env)
        _organization, token = migrate_and_make_token()
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        results = run_rounds(args, database, port, token, workload, total)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(database)
    report(results)


def run_rounds(args, database, port, token, workload, total):
    results = {"api": [], "copy": []}
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        connection.execute(
            "CREATE TABLE bench_copy_event (LIKE recordings_event INCLUDING ALL)"
        )
        connection.commit()
        for number in range(1, args.rounds + 1):
            reset_tables(connection)
            api_seconds = api_round(port, token, workload, args.clients)
            rows = stored_rows(connection)
            assert len(rows) == total, f"the API stored {len(rows)} of {total}"
            copy_seconds = copy_round(connection, rows)
            results["api"].append(total / api_seconds)
            results["copy"].append(total / copy_seconds)
            print(
                f"round {number}: API {total / api_seconds:>9,.0f} events/s   "
                f"COPY {total / copy_seconds:>9,.0f} rows/s   "
                f"ratio {copy_seconds / api_seconds:.2f}",
                flush=True,
            )
    return results


def report(results):
    api = statistics.median(results["api"])
    copy = statistics.median(results["copy"])
    # Each round's two runs share the machine's load at that moment, so the
    # median of the per-round ratios is the figure to compare.
    ratio = statistics.median(
        a / c for a, c in zip(results["api"], results["copy"], strict=True)
    )
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"median: API {api:,.0f} events/s, COPY {copy:,.0f} rows/s")
    print(f"ratio API/COPY (median of rounds): {ratio:.2f} ({verdict} {TARGET})")


if __name__ == "__main__":
    main()
