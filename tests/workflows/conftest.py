import pytest

from apps.recordings.services import recording_import
from apps.workflows import selectors, services
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


@pytest.fixture
def recording_factory(db):
    return import_sample


@pytest.fixture
def outage(organization, recording_factory):
    return recording_factory(organization)


@pytest.fixture
def workflow(organization, outage):
    """The outage recording's workflow, generated and built."""
    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = selectors.run_for_recording(organization=organization, recording=outage)
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    return workflow
