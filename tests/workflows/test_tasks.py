import logging
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from apps.accounts.models import MonthlyUsage
from apps.workflows import selectors, services
from apps.workflows.models import Run, State, Workflow
from apps.workflows.tasks import run_build_task, run_builds_stalled_task
from ledgerium.celery import app
from tests.workflows.conftest import build_raising

UNEXPECTED = (
    "The build stopped on an unexpected error. Try again; if it stops again, "
    "the worker's log says why."
)
STALLED = (
    "The build stopped without finishing: it made no progress for 25 minutes. "
    "Try again."
)


def _usage(organization):
    row = MonthlyUsage.objects.filter(organization=organization).first()
    return row.workflows_created if row else 0


@pytest.mark.parametrize(
    "error",
    [KeyError("internal detail"), SoftTimeLimitExceeded("internal detail")],
    ids=["fault", "soft-time-limit"],
)
def test_run_build_task_stopped_by_an_unexpected_error_fails_the_workflow(
    organization, outage, monkeypatch, caplog, error
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = workflow.reference_run
    caplog.set_level(logging.ERROR, logger="apps.workflows.tasks")

    build_raising(monkeypatch, run, error)

    workflow.refresh_from_db()
    run.refresh_from_db()
    assert (workflow.state, workflow.progress) == (State.FAILED, 0)
    assert workflow.failure_reason == UNEXPECTED
    assert (run.state, run.failure_reason) == (State.FAILED, UNEXPECTED)
    assert workflow.quota_month is None
    assert _usage(organization) == 0
    assert selectors.workflow_retry_refusal(workflow=workflow) is None
    (record,) = [r for r in caplog.records if r.name == "apps.workflows.tasks"]
    assert record.levelno == logging.ERROR
    assert record.exc_info[1] is error
    assert record.run_id == run.pk


def test_run_build_task_stopped_by_an_unexpected_error_can_be_tried_again(
    organization, owner, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    build_raising(monkeypatch, workflow.reference_run, KeyError("phase"))
    workflow.refresh_from_db()

    (run,) = services.workflow_retry(
        membership=organization.memberships.get(user=owner), workflow=workflow
    )
    run_build_task.run(organization.pk, run.pk, run.generation)

    workflow.refresh_from_db()
    assert (workflow.state, workflow.failure_reason) == (State.READY, "")
    assert workflow.current_version.number == 1
    assert _usage(organization) == 1


def test_beat_fails_stalled_builds_every_five_minutes():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["fail-stalled-builds"]

    assert entry["task"] == run_builds_stalled_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 300


def _stopped_midway(workflow, *, minutes):
    """Leave ``workflow``'s reference run as a build whose worker died."""
    Run.objects.filter(pk=workflow.reference_run_id).update(state=State.RUNNING)
    Workflow.objects.filter(pk=workflow.pk).update(
        state=State.RUNNING,
        progress=40,
        updated_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_run_builds_stalled_task_fails_a_build_that_stopped_moving(
    organization, outage
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = workflow.reference_run
    _stopped_midway(workflow, minutes=26)

    assert run_builds_stalled_task.run() == 1

    workflow.refresh_from_db()
    run.refresh_from_db()
    assert (workflow.state, workflow.progress) == (State.FAILED, 0)
    assert workflow.failure_reason == STALLED
    assert (run.state, run.generation) == (State.FAILED, 2)
    assert workflow.quota_month is None
    assert _usage(organization) == 0
    assert selectors.workflow_retry_refusal(workflow=workflow) is None


def test_a_stalled_build_delivered_again_changes_nothing(organization, outage):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = workflow.reference_run
    _stopped_midway(workflow, minutes=26)
    run_builds_stalled_task.run()

    assert run_build_task.run(organization.pk, run.pk, 1) is None

    workflow.refresh_from_db()
    assert (workflow.state, workflow.current_version) == (State.FAILED, None)
    assert _usage(organization) == 0


def test_run_builds_stalled_task_leaves_a_build_that_may_still_move(
    organization, outage
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    _stopped_midway(workflow, minutes=24)

    assert run_builds_stalled_task.run() == 0

    workflow.refresh_from_db()
    assert (workflow.state, workflow.progress) == (State.RUNNING, 40)
    assert _usage(organization) == 1
