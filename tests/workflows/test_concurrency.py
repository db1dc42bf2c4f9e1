"""The quota under concurrent generation, and a worker killed mid-build."""

import threading
import time
import uuid

import msgspec
import pytest
from django.db import connection

from apps.accounts.models import MonthlyUsage
from apps.accounts.selectors import month_start
from apps.core.errors import ApplicationError
from apps.recordings.services import recording_import
from apps.workflows import services
from apps.workflows.models import Run, SopVersion, State, Workflow
from tests.workers import (
    kill_worker,
    restore_unacked,
    start_worker,
    stop_worker,
    wait_for_sessions_to_close,
)
from tests.workflows import recording_factory as rf


def _import(organization, recording):
    recording = msgspec.structs.replace(recording, id=str(uuid.uuid4()))
    return recording_import(
        organization=organization,
        user=organization.memberships.first().user,
        document=rf.encode(recording),
    )


def _usage(organization):
    return MonthlyUsage.objects.get(organization=organization).workflows_created


@pytest.mark.django_db(transaction=True)
def test_quota_twenty_concurrent_generations_at_four_of_five_make_one_workflow(
    organization, settings
):
    settings.WORKFLOWS_QUEUE = f"unused-{uuid.uuid4().hex}"
    MonthlyUsage.objects.create(
        organization=organization,
        month=month_start(organization=organization),
        workflows_created=4,
    )
    recordings = [_import(organization, rf.synthetic(20, seed=i)) for i in range(20)]
    barrier = threading.Barrier(len(recordings))
    outcomes = []

    def generate(recording):
        try:
            barrier.wait(timeout=30)
            services.workflow_generate(organization=organization, recording=recording)
            outcomes.append("created")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate, args=(r,)) for r in recordings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["created"] + ["quota_exceeded"] * 19
    assert Workflow.objects.filter(organization=organization).count() == 1
    assert Run.objects.filter(organization=organization).count() == 1
    assert _usage(organization) == 5


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return None


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_nothing_half_written_and_a_new_one_finishes(
    organization, settings
):
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-kill-{uuid.uuid4().hex[:8]}"
    settings.WORKFLOWS_QUEUE = queue
    recording = _import(organization, rf.synthetic(3000, seed=11))
    first = start_worker(queue, "doomed")
    try:
        workflow = services.workflow_generate(
            organization=organization, recording=recording
        )
        running = _wait_for(
            lambda: Workflow.objects.filter(
                pk=workflow.pk, state=State.RUNNING
            ).exists(),
            timeout=60,
        )
        assert running, "the worker never started the build"
    finally:
        kill_worker(first)

    assert not SopVersion.objects.filter(workflow=workflow).exists()
    run = Run.objects.get(workflow=workflow)
    assert run.steps == []
    assert _usage(organization) == 1

    restore_unacked()
    second = start_worker(queue, "rescuer")
    try:
        ready = _wait_for(
            lambda: Workflow.objects.filter(pk=workflow.pk, state=State.READY).exists(),
            timeout=180,
        )
    finally:
        stop_worker(second)
        wait_for_sessions_to_close()

    assert ready, Workflow.objects.get(pk=workflow.pk).failure_reason
    version = SopVersion.objects.get(workflow=workflow)
    assert version.number == 1
    assert bytes(version.pdf).startswith(b"%PDF")
    assert Workflow.objects.filter(organization=organization).count() == 1
    assert _usage(organization) == 1
