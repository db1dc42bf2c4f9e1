import logging

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from apps.accounts.models import MonthlyUsage
from apps.workflows import selectors, services
from apps.workflows.models import State
from apps.workflows.tasks import run_build_task
from tests.workflows.conftest import build_raising

UNEXPECTED = (
    "The build stopped on an unexpected error. Try again; if it stops again, "
    "the worker's log says why."
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
