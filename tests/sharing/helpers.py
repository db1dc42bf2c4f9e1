"""A workflow with a real generated SOP version, for the sharing tests."""

import json
import subprocess
import uuid
from pathlib import Path

import msgspec
from django.conf import settings

from apps.recordings import format as recording_format
from apps.recordings.services import recording_import
from apps.workflows.documents import document_data
from apps.workflows.models import SopVersion, State, Workflow
from apps.workflows.pipeline import generate
from apps.workflows.selectors import run_for_recording, workflow_get
from apps.workflows.services import run_build, workflow_generate

SAMPLE = Path(settings.BASE_DIR, "apps/recordings/samples/network-outage.json")


def _generated():
    document = msgspec.json.decode(SAMPLE.read_bytes(), type=recording_format.Recording)
    return document, generate(
        document.events,
        title=document.title,
        agent=document.agent,
        privacy=msgspec.to_builtins(document.privacy),
    )


def workflow_in(organization, *, title=None):
    """Create a ready workflow of ``organization`` with one SOP version."""
    document, generated = _generated()
    workflow = Workflow.objects.create(
        organization=organization,
        title=title or document.title,
        state=State.READY,
        progress=100,
    )
    version = SopVersion.objects.create(
        organization=organization,
        workflow=workflow,
        number=1,
        key="sample",
        reason=SopVersion.Reason.GENERATED,
        steps=generated.steps,
        document=document_data(generated.sop),
        markdown=generated.markdown,
        html="",
        mermaid=generated.mermaid,
        bpmn=generated.bpmn.decode(),
        render_state=State.READY,
    )
    workflow.current_version = version
    workflow.save(update_fields=["current_version"])
    return workflow


def workflow_built(organization, sample=SAMPLE):
    """Import the sample and build its workflow for real, SVG and PDF included.

    Slower than ``workflow_in``; for tests that need a run, such as the
    report, which measures runs.
    """
    owner = organization.memberships.first().user
    raw = json.loads(sample.read_text())
    raw["id"] = str(uuid.uuid4())
    recording = recording_import(
        organization=organization, user=owner, document=json.dumps(raw).encode()
    )
    # Finishing may already have generated it, as the receiver does.
    workflow_generate(organization=organization, recording=recording, user=owner)
    run = run_for_recording(organization=organization, recording=recording)
    run_build(run=run, generation=run.generation)
    return workflow_get(organization=organization, workflow_id=run.workflow_id)


def version_next(workflow, *, title):
    """Add a version to ``workflow`` titled ``title`` and make it current."""
    current = workflow.current_version
    document = {**current.document, "title": title}
    version = SopVersion.objects.create(
        organization=workflow.organization,
        workflow=workflow,
        number=current.number + 1,
        key=f"next-{current.number + 1}",
        reason=SopVersion.Reason.EDITED,
        steps=current.steps,
        document=document,
        markdown=current.markdown,
        html="",
        mermaid=current.mermaid,
        bpmn=current.bpmn,
        render_state=State.READY,
    )
    workflow.current_version = version
    workflow.save(update_fields=["current_version"])
    return version


def pdf_text(pdf, tmp_path):
    """Return the text of ``pdf`` on one line, as pdftotext reads it."""
    path = tmp_path / f"shared-{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())
