"""Send Celery tasks once the transaction that asked for them commits.

With a broker the task goes to it, for a worker. On the embedded default
there is no broker and no worker: the task runs on one background thread of
this process instead, so the request that asked for it answers at once and
its page can show the progress. One thread keeps SQLite to one writer of
builds and the Mermaid renderer's browser to one page.
"""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections, transaction

_background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledgerium-task")


def task_enqueue(task, args, **options):
    """Send ``task`` with ``args`` once the current transaction commits."""
    transaction.on_commit(lambda: _send(task, tuple(args), options))


def _send(task, args, options):
    if settings.LEDGERIUM_TASKS_IN_THREAD:
        _background.submit(_run, task, args)
    else:
        task.apply_async(args, **options)


def _run(task, args):
    # The task owns its retries and failures, as it does in a worker; the
    # thread's database connections are its own and closed after each task.
    try:
        task.apply(args)
    finally:
        connections.close_all()
