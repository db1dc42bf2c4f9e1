import uuid

import msgspec

from apps.recordings.services import recording_import
from apps.workflows.models import Run, SystemRule, Workflow
from tests.tenancy import provides
from tests.workflows import recording_factory as rf


def _workflow_with_run(organization):
    owner = organization.memberships.first().user
    recording = recording_import(
        organization=organization,
        user=owner,
        document=rf.encode(
            msgspec.structs.replace(rf.synthetic(20), id=str(uuid.uuid4()))
        ),
    )
    workflow = Workflow.objects.create(
        organization=organization, title=f"{organization.name} workflow"
    )
    run = Run.objects.create(
        organization=organization, workflow=workflow, recording=recording
    )
    return workflow, run


@provides("workflow_id")
def workflow_in(organization):
    return _workflow_with_run(organization)[0].pk


@provides("run_id")
def run_in(organization):
    return _workflow_with_run(organization)[1].pk


@provides("rule_id")
def system_rule_in(organization):
    return SystemRule.objects.create(
        organization=organization,
        host_pattern=f"*.org{organization.pk}.example",
        name=f"{organization.name} tools",
        kind="admin",
    ).pk


@provides("version_number", "step_number")
def first_number(organization):
    # Numbers within a workflow; the workflow in the same URL is the object.
    return 1


@provides("export_format")
def export_format(organization):
    return "pdf"
