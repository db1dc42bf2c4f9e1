"""Start and kill real Celery workers of our own, on a queue of our own."""

import os
import signal
import subprocess
import sys
import time

from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import connection

from ledgerium.celery import app


def start_worker(queue, name):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ledgerium.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LEDGERIUM_TEST_RUN_ID": str(os.getpid()),
    }
    hostname = f"{name}-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ledgerium",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            hostname,
        ],
        env=env,
        # A session of its own, so that killing it takes its Chromium too.
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if app.control.ping(destination=[hostname], timeout=0.5):
            worker.hostname = hostname
            return worker
        if worker.poll() is not None:
            raise RuntimeError("The Celery worker exited at start-up.")
    kill_worker(worker)
    raise RuntimeError("The Celery worker did not answer within 120 s.")


def purge_queue(queue):
    """Drop the messages waiting on ``queue``: tasks no worker was there for."""
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


def _waiting(queue):
    # Redis keeps no empty lists: a queue with nothing waiting is not there.
    with app.connection_for_read() as broker:
        try:
            return broker.default_channel.queue_declare(
                queue=queue, passive=True
            ).message_count
        except ChannelError:
            return 0


def wait_until_idle(worker, queue, timeout=120):
    """Wait until ``worker`` has finished every task waiting on ``queue``.

    A test's transaction commits, a task goes to the queue, and the worker
    may still be writing when the test ends; the flush that empties the
    tables would then take its locks in the other order and deadlock with it.
    A solo worker busy with a task cannot answer, so silence means busy.
    """
    deadline = time.monotonic() + timeout
    inspect = app.control.inspect(destination=[worker.hostname], timeout=1)
    while time.monotonic() < deadline and worker.poll() is None:
        if not _waiting(queue):
            active = inspect.active() or {}
            reserved = inspect.reserved() or {}
            if (
                active.get(worker.hostname) == []
                and reserved.get(worker.hostname) == []
            ):
                return True
        time.sleep(0.1)
    return worker.poll() is not None


def kill_worker(worker):
    """SIGKILL the worker and everything it started, as a crash would."""
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    worker.wait(timeout=10)


def stop_worker(worker):
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        kill_worker(worker)


def wait_for_sessions_to_close(timeout=20):
    """Wait until no other connection uses the test database.

    A worker that was killed or stopped may hold its session for a moment;
    the test database cannot be dropped at the end of the run until it ends.
    """
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return True
            time.sleep(0.2)
    return False


def end_other_sessions():
    """End every other session on the test database, so it can be dropped.

    A live-server thread or a stopped worker may close its connection a moment
    after the run ends; Django would then warn that the database is in use and
    leave it behind.
    """
    if connection.vendor != "postgresql" or wait_for_sessions_to_close(timeout=5):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def restore_unacked(visibility_timeout=1):
    """Give back messages that a dead worker took and never acknowledged.

    Redis hands an unacknowledged message to another worker once it has been
    out longer than the visibility timeout (an hour in our settings); this
    does the same after ``visibility_timeout`` seconds, for this test only.
    """
    from kombu import Connection

    time.sleep(visibility_timeout + 0.5)
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options={"visibility_timeout": visibility_timeout},
    ) as broker:
        broker.default_channel.qos.restore_visible(num=100)
