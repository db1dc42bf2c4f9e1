import uuid

import msgspec
import pytest

from apps.core.errors import ApplicationError
from apps.recordings.models import Event, Recording
from apps.recordings.services import recording_import
from apps.workflows import selectors, services
from apps.workflows.tasks import run_build_task
from tests.workflows import recording_factory as rf


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    # Tests generate on purpose; importing a recording alone must not.
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def import_sample(organization, recording=None, user=None):
    """Import ``recording`` (the network outage by default) as finished."""
    recording = recording or rf.network_outage()
    if user is None:
        user = organization.memberships.first().user
    return recording_import(
        organization=organization, user=user, document=rf.encode(recording)
    )


def import_another_outage(organization):
    """Import the network outage again under a new id: another run of it."""
    recording = msgspec.structs.replace(rf.network_outage(), id=str(uuid.uuid4()))
    return import_sample(organization, recording)


@pytest.fixture
def recording_factory(db):
    return import_sample


@pytest.fixture
def outage(organization, recording_factory):
    return recording_factory(organization)


def build_sample(organization, recording=None, *, workflow=None, enqueue=True):
    """Return the workflow of ``recording`` (the outage by default), built.

    With ``workflow``, the recording is generated as another run of it.
    """
    recording = recording or import_sample(organization)
    workflow = services.workflow_generate(
        organization=organization,
        recording=recording,
        workflow=workflow,
        enqueue=enqueue,
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    return workflow


@pytest.fixture
def workflow(organization, outage):
    """The outage recording's workflow, generated and built."""
    return build_sample(organization, outage)


def recording_emptied(recording):
    """Return ``recording`` as one finished without events before such a
    recording was refused."""
    Event.objects.filter(recording=recording).delete()
    Recording.objects.filter(pk=recording.pk).update(event_count=0, highest_seq=0)
    recording.refresh_from_db()
    return recording


def build_failed(monkeypatch, workflow, run=None):
    """Run the task building ``run`` (the workflow's reference run by
    default), failing as a build that meets an error does."""

    def refuse(**kwargs):
        raise ApplicationError("The map broke.", code="broken")

    run = run or workflow.reference_run
    with monkeypatch.context() as patch:
        patch.setattr(services, "run_build", refuse)
        run_build_task.run(workflow.organization_id, run.pk, run.generation)
    workflow.refresh_from_db()


def build_raising(monkeypatch, run, error):
    """Run the task building ``run``, its steps' builder raising ``error``.

    The error comes after the build has begun, as from a fault in the
    pipeline or from the task's soft time limit.
    """

    def broken(*args, **kwargs):
        raise error

    with monkeypatch.context() as patch:
        patch.setattr(services, "generate", broken)
        run_build_task.run(run.organization_id, run.pk, run.generation)
