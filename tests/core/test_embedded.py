"""The embedded default end to end: SQLite, tasks in-process, real renderers.

``make demo`` runs ``migrate`` and ``demo_setup`` with nothing configured;
these tests run the same commands in a subprocess on a SQLite file of their
own and read the result straight from that file.
"""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from django.conf import settings

from apps.web.management.commands.demo_setup import DEMO_SAMPLES, SAMPLES

NAMES = [name for name, _joins in DEMO_SAMPLES]
# A sample that joins another's workflow adds a run to it, not a workflow.
WORKFLOWS = [name for name, joins in DEMO_SAMPLES if joins is None]
# Anything that would point the subprocess away from the embedded default.
CONFIGURED = ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_URL", "EMAIL_URL", "LEDGERIUM_")


# Six batches of one recording sent at once through the API, each request on
# its own thread and database connection, as a threaded server handles them.
CONCURRENT_APPENDS = """
import json, threading
from django.db import connection
from django.test import Client
from apps.accounts.models import Membership
from apps.accounts.services import api_token_create
from tests.recordings.helpers import create, events, send

membership = Membership.objects.get(user__email="demo@ledgerium.test")
_token, raw = api_token_create(membership=membership, name="concurrency")
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION="Bearer " + raw)
recording_id = create(client)
statuses = []

def append(first):
    statuses.append(send(client, recording_id, events(first, first + 49)).status_code)
    connection.close()

threads = [threading.Thread(target=append, args=(1 + 50 * i,)) for i in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
detail = client.get(f"/api/v1/recordings/{recording_id}/").json()
print(json.dumps({"statuses": sorted(statuses), "events": detail["event_count"]}))
"""


def _manage(*args, database, media):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(CONFIGURED)}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "ledgerium.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "LEDGERIUM_MEDIA_ROOT": str(media),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def _rows(database, sql):
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql).fetchall()


def _workflows(database):
    return _rows(
        database,
        "SELECT w.title, w.state, v.pdf, v.svg, v.render_failure "
        "FROM workflows_workflow w JOIN workflows_sopversion v "
        "ON v.id = w.current_version_id ORDER BY w.title",
    )


def _sample_events():
    return sum(
        len(json.loads((SAMPLES / name).read_bytes())["events"]) for name in NAMES
    )


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """Migrate a fresh SQLite file and run ``demo_setup`` on it twice."""
    directory = tmp_path_factory.mktemp("embedded")
    database = directory / "embedded.sqlite3"
    media = directory / "media"
    _manage("migrate", "--noinput", database=database, media=media)
    first = _manage("demo_setup", database=database, media=media)
    after_first = _workflows(database)
    second = _manage("demo_setup", database=database, media=media)
    return {
        "database": database,
        "outputs": (first, second),
        "after_first": after_first,
        "after_second": _workflows(database),
        "stored": _rows(
            database,
            "SELECT (SELECT count(*) FROM recordings_event),"
            " (SELECT count(*) FROM recordings_rawbatch)",
        ),
        "statuses": _rows(database, "SELECT DISTINCT status FROM recordings_recording"),
        "imports": _rows(
            database,
            "SELECT state, incidents, length(report_html) > 0"
            " FROM reports_incidentimport",
        ),
        "runs": _rows(
            database,
            "SELECT w.title, count(*) FROM workflows_run r JOIN workflows_workflow w "
            "ON r.workflow_id = w.id GROUP BY w.title ORDER BY w.title",
        ),
    }


@pytest.mark.slow
def test_embedded_demo_setup_ends_every_sample_ready_with_map_and_pdf(
    demo_database,
):
    rows = demo_database["after_first"]

    assert len(rows) == len(WORKFLOWS)
    for title, state, pdf, svg, failure in rows:
        assert state == "ready", title
        assert failure == "", (title, failure)
        assert bytes(pdf).startswith(b"%PDF-"), title
        assert "<svg" in svg, title
    for name in NAMES:
        assert demo_database["outputs"][0].count(f"Sample {name}: ") == 1, name
    # The command waits for the builds on its background thread to end.
    assert demo_database["outputs"][0].count("(Ready)") == len(NAMES)
    assert "650 incidents imported (report Ready)" in demo_database["outputs"][0]
    assert demo_database["imports"] == [("ready", 650, 1)]


@pytest.mark.slow
def test_embedded_demo_setup_stores_every_event_once_even_when_repeated(
    demo_database,
):
    assert demo_database["stored"] == [(_sample_events(), 0)]
    assert demo_database["statuses"] == [("finished",)]
    assert demo_database["after_second"] == demo_database["after_first"]
    assert demo_database["outputs"][1].count("(Ready)") == len(NAMES)
    assert sum(count for _title, count in demo_database["runs"]) == len(NAMES)
    assert ("VPN login failures after certificate rotation", 2) in demo_database["runs"]


@pytest.mark.slow
def test_embedded_concurrent_appends_to_one_recording_all_succeed(demo_database):
    database = demo_database["database"]

    output = _manage(
        "shell",
        "--no-imports",
        "-c",
        CONCURRENT_APPENDS,
        database=database,
        media=database.parent / "media",
    )

    result = json.loads(output.strip().splitlines()[-1])
    assert result == {"statuses": [200] * 6, "events": 300}
