import msgspec
import pytest
from django.test import Client

from apps.accounts.models import MonthlyUsage
from apps.recordings.services import recording_discard
from apps.sharing.models import ShareLink
from apps.sharing.services import share_link_create
from apps.workflows import selectors, services
from apps.workflows.models import Run, SopVersion, State, Workflow
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_failed


@pytest.fixture(autouse=True)
def _unused_queue(settings):
    # Builds are queued where no worker listens; the tests build by hand.
    settings.WORKFLOWS_QUEUE = "unused-in-this-test"


def _build(organization, recording, workflow=None):
    workflow = services.workflow_generate(
        organization=organization, recording=recording, workflow=workflow
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    run.refresh_from_db()
    return workflow, run


def _discard(recording, capture):
    with capture(execute=True):
        recording_discard(recording=recording)


def _second_recording():
    return msgspec.structs.replace(
        rf.network_outage(), id="3b9e1f4a-7c2d-4e8b-9a1f-5d6c7e8f9a0b"
    )


def test_recording_discard_deletes_the_workflow_of_its_only_run(
    organization, owner, recording_factory, django_capture_on_commit_callbacks
):
    recording = recording_factory(organization)
    workflow, run = _build(organization, recording)
    membership = organization.memberships.get(user=owner)
    _following, following_token = share_link_create(
        membership=membership, workflow=workflow
    )
    _pinned, pinned_token = share_link_create(
        membership=membership, workflow=workflow, pin_version=True
    )
    assert Client().get(f"/s/{following_token}/").status_code == 200

    _discard(recording, django_capture_on_commit_callbacks)

    assert not Workflow.objects.filter(pk=workflow.pk).exists()
    assert not Run.objects.filter(pk=run.pk).exists()
    assert not SopVersion.objects.filter(workflow_id=workflow.pk).exists()
    assert not ShareLink.objects.filter(workflow_id=workflow.pk).exists()
    assert Client().get(f"/s/{following_token}/").status_code == 404
    assert Client().get(f"/s/{pinned_token}/").status_code == 404
    # Deleting never gives the month's slot back.
    assert MonthlyUsage.objects.get(organization=organization).workflows_created == 1


def test_recording_discard_of_the_reference_builds_from_the_next_run(
    organization, owner, recording_factory, django_capture_on_commit_callbacks
):
    first = recording_factory(organization)
    workflow, first_run = _build(organization, first)
    second = recording_factory(organization, _second_recording())
    workflow, second_run = _build(organization, second, workflow)
    membership = organization.memberships.get(user=owner)
    _pinned, pinned_token = share_link_create(
        membership=membership, workflow=workflow, pin_version=True
    )

    _discard(first, django_capture_on_commit_callbacks)

    workflow.refresh_from_db()
    assert not Run.objects.filter(pk=first_run.pk).exists()
    assert workflow.reference_run_id == second_run.pk
    assert workflow.current_version_id is None
    assert workflow.state == State.QUEUED
    assert not SopVersion.objects.filter(workflow=workflow).exists()
    assert Client().get(f"/s/{pinned_token}/").status_code == 404

    second_run.refresh_from_db()
    version = services.run_build(run=second_run, generation=second_run.generation)

    workflow.refresh_from_db()
    assert workflow.current_version_id == version.pk
    assert version.source_run_id == second_run.pk


def test_recording_discard_of_a_failed_reference_counts_the_next_run_or_says_why(
    organization,
    recording_factory,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    first = recording_factory(organization)
    workflow = services.workflow_generate(organization=organization, recording=first)
    # Added while the first run waits for its build, so not the reference.
    second = recording_factory(organization, _second_recording())
    services.workflow_generate(
        organization=organization, recording=second, workflow=workflow
    )
    build_failed(monkeypatch, workflow)
    MonthlyUsage.objects.filter(organization=organization).update(workflows_created=5)

    _discard(first, django_capture_on_commit_callbacks)

    workflow.refresh_from_db()
    assert workflow.reference_run.recording_id == second.pk
    assert workflow.state == State.FAILED
    assert "has documented 5 of 5 workflows this month." in workflow.failure_reason
    assert workflow.quota_month is None
    assert workflow.reference_run.generation == 1


def test_recording_discard_of_another_run_keeps_the_current_version(
    organization, recording_factory, django_capture_on_commit_callbacks
):
    first = recording_factory(organization)
    workflow, first_run = _build(organization, first)
    second = recording_factory(organization, _second_recording())
    workflow, second_run = _build(organization, second, workflow)
    current = workflow.current_version_id

    _discard(second, django_capture_on_commit_callbacks)

    workflow.refresh_from_db()
    assert not Run.objects.filter(pk=second_run.pk).exists()
    assert workflow.reference_run_id == first_run.pk
    assert workflow.current_version_id == current
    assert workflow.state == State.READY


def test_recording_discard_of_the_failed_run_makes_the_workflow_ready_again(
    organization, recording_factory, django_capture_on_commit_callbacks, monkeypatch
):
    workflow, _run = _build(organization, recording_factory(organization))
    second = recording_factory(organization, _second_recording())
    services.workflow_generate(
        organization=organization, recording=second, workflow=workflow
    )
    run = selectors.run_for_recording(organization=organization, recording=second)
    build_failed(monkeypatch, workflow, run=run)
    assert workflow.state == State.FAILED

    _discard(second, django_capture_on_commit_callbacks)

    workflow.refresh_from_db()
    assert (workflow.state, workflow.failure_reason) == (State.READY, "")
    assert workflow.current_version.number == 1


def test_recording_discard_leaves_other_organizations_alone(
    organization,
    other_organization,
    recording_factory,
    django_capture_on_commit_callbacks,
):
    mine = recording_factory(organization)
    theirs = recording_factory(other_organization, _second_recording())
    _build(organization, mine)
    their_workflow, _run = _build(other_organization, theirs)

    _discard(mine, django_capture_on_commit_callbacks)

    assert Workflow.objects.filter(pk=their_workflow.pk).exists()
    assert Workflow.objects.filter(organization=organization).count() == 0


def test_run_build_stores_nothing_when_the_recording_is_discarded_meanwhile(
    organization, recording_factory, django_capture_on_commit_callbacks, monkeypatch
):
    recording = recording_factory(organization)
    workflow = services.workflow_generate(
        organization=organization, recording=recording
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    render = services._render

    def discard_while_rendering(workflow, artefacts):
        # The discard commits while the worker draws the map and the PDF.
        rendered = render(workflow, artefacts)
        _discard(recording, django_capture_on_commit_callbacks)
        return rendered

    monkeypatch.setattr(services, "_render", discard_while_rendering)

    assert services.run_build(run=run, generation=run.generation) is None
    assert not Workflow.objects.filter(pk=workflow.pk).exists()
