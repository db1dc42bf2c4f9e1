"""Tasks on the embedded default run on a thread of their own, after commit."""

import threading

import pytest
from celery import shared_task

from apps.core.jobs import task_enqueue

started = threading.Event()
release = threading.Event()
ran_on = []


@shared_task
def wait_for_release():
    ran_on.append(threading.current_thread().name)
    started.set()
    return release.wait(timeout=60)


@pytest.fixture
def in_thread(settings):
    settings.LEDGERIUM_TASKS_IN_THREAD = True
    started.clear()
    release.clear()
    ran_on.clear()
    yield
    release.set()


@pytest.mark.django_db
def test_task_enqueue_runs_the_task_on_its_thread_after_commit(
    in_thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        task_enqueue(wait_for_release, ())
        assert not started.is_set()

    assert len(callbacks) == 1
    # The task waits for this thread to release it: run in place, it could not.
    assert started.wait(timeout=60)
    assert ran_on[0].startswith("ledgerium-task")
