"""Send Celery tasks once the transaction that asked for them commits.

With a broker the task goes to it, for a worker. On the embedded default
there is no broker and no worker: the task runs on one background thread of
this process instead, so the request that asked for it answers at once and
its page can show the progress. One thread keeps SQLite to one writer of
builds and the Mermaid renderer's browser to one page.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections, transaction

_background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledgerium-task")
# Tasks sent to the thread and not yet ended, those they send included.
_pending = 0
_idle = threading.Condition()


def task_enqueue(task, args, **options):
    """Send ``task`` with ``args`` once the current transaction commits."""
    transaction.on_commit(lambda: _send(task, tuple(args), options))


def _send(task, args, options):
    global _pending
    if settings.LEDGERIUM_TASKS_IN_THREAD:
        with _idle:
            _pending += 1
        _background.submit(_run, task, args)
    else:
        task.apply_async(args, **options)


def _run(task, args):
    # The task owns its retries and failures, as it does in a worker; the
    # thread's database connections are its own and closed after each task.
    global _pending
    try:
        task.apply(args)
    finally:
        connections.close_all()
        with _idle:
            _pending -= 1
            _idle.notify_all()


def background_wait(timeout):
    """Wait until the background thread has no task left; return whether it has.

    A task that sends another (a build, then its PDF) keeps it busy until the
    last one ends: the count rises before the sender's own task ends.
    """
    with _idle:
        return _idle.wait_for(lambda: _pending == 0, timeout=timeout)
