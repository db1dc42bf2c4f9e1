import pytest

from apps.accounts.models import MonthlyUsage
from apps.core.errors import ApplicationError
from apps.workflows import selectors, services
from apps.workflows.models import SopVersion, State, Workflow
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import (
    build_failed,
    build_sample,
    import_another_outage,
    recording_emptied,
)


def _usage(organization):
    row = MonthlyUsage.objects.filter(organization=organization).first()
    return row.workflows_created if row else 0


def test_workflow_generate_builds_a_ready_version_with_every_artefact(
    organization, outage
):
    workflow = build_sample(organization, outage)

    version = workflow.current_version
    assert workflow.state == State.READY
    assert workflow.progress == 100
    assert version.number == 1
    assert version.render_state == State.READY
    assert bytes(version.pdf).startswith(b"%PDF")
    assert "<svg" in version.svg and "foreignObject" not in version.svg
    assert "Set Priority" in version.html and "in the recording: 2 - High" in (
        version.html
    )
    assert "### Close" in version.markdown
    assert version.bpmn.startswith("<?xml")
    assert _usage(organization) == 1


def test_workflow_generate_twice_for_one_recording_is_one_workflow(
    organization, outage
):
    first = services.workflow_generate(organization=organization, recording=outage)
    again = services.workflow_generate(organization=organization, recording=outage)

    assert first.pk == again.pk
    assert _usage(organization) == 1


def test_run_build_twice_stores_one_version(organization, outage):
    workflow = build_sample(organization, outage)
    run = workflow.reference_run

    assert services.run_build(run=run, generation=run.generation) is None
    assert SopVersion.objects.filter(workflow=workflow).count() == 1


def test_workflow_generate_adding_a_run_does_not_count(organization, recording_factory):
    workflow = build_sample(organization, recording_factory(organization))
    second = recording_factory(organization, rf.synthetic(80, seed=2))

    again = build_sample(organization, second, workflow=workflow)

    assert again.pk == workflow.pk
    assert workflow.runs.count() == 2
    assert _usage(organization) == 1
    assert SopVersion.objects.filter(workflow=workflow).count() == 2
    assert len(selectors.workflow_traces(workflow=workflow)) == 2
    report = selectors.workflow_report(workflow=workflow)
    assert len(report.runs) == 2


def test_workflow_generate_refuses_the_sixth_on_free_and_keeps_the_recording(
    organization, recording_factory
):
    MonthlyUsage.objects.create(
        organization=organization,
        month=_month(organization),
        workflows_created=5,
    )
    recording = recording_factory(organization)

    with pytest.raises(ApplicationError) as raised:
        services.workflow_generate(organization=organization, recording=recording)

    assert raised.value.code == "quota_exceeded"
    assert "5 of 5" in raised.value.message
    assert Workflow.objects.filter(organization=organization).count() == 0
    recording.refresh_from_db()
    assert recording.status == "finished"


def test_workflow_delete_keeps_the_slot_used(organization, owner, outage):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)

    services.workflow_delete(membership=membership, workflow=workflow)

    assert _usage(organization) == 1


def test_workflow_regenerate_makes_a_new_version_without_counting(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)

    run = services.workflow_regenerate(membership=membership, workflow=workflow)
    services.run_build(run=run, generation=run.generation)

    workflow.refresh_from_db()
    assert workflow.current_version.number == 2
    assert workflow.current_version.reason == "regenerated"
    assert _usage(organization) == 1


def _regenerated(workflow, membership):
    run = services.workflow_regenerate(membership=membership, workflow=workflow)
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    return workflow.current_version


def test_workflow_regenerate_builds_the_sop_from_every_ready_run(
    organization, owner, outage, other_organization
):
    workflow = build_sample(organization, outage)
    build_sample(organization, import_another_outage(organization), workflow=workflow)
    # Another organization's runs of the same recording are not this SOP's.
    theirs = build_sample(other_organization, import_another_outage(other_organization))
    build_sample(
        other_organization, import_another_outage(other_organization), workflow=theirs
    )
    membership = organization.memberships.get(user=owner)

    version = _regenerated(workflow, membership)

    assert "*Based on 2 recordings. The steps are the reference recording's: " in (
        version.markdown
    )
    assert "Choose the category: in the recordings, Network (2 of 2 runs)." in (
        version.markdown
    )
    edited = services.workflow_edit(
        membership=membership,
        workflow=workflow,
        edit={"op": "reword", "ref": version.steps[0]["ref"], "text": "Sign in"},
    )
    assert "*Based on 2 recordings." in edited.markdown


def test_workflow_regenerate_of_one_run_is_based_on_one_recording(
    organization, owner, outage, other_organization
):
    workflow = build_sample(organization, outage)
    theirs = build_sample(other_organization, import_another_outage(other_organization))
    build_sample(
        other_organization, import_another_outage(other_organization), workflow=theirs
    )

    version = _regenerated(workflow, organization.memberships.get(user=owner))

    assert "*Based on 1 recording: " in version.markdown
    assert "runs" not in version.markdown


def test_workflow_edit_keeps_edits_across_regeneration(organization, owner, outage):
    workflow = build_sample(organization, outage)
    membership = organization.memberships.get(user=owner)
    ref = workflow.current_version.steps[0]["ref"]

    edited = services.workflow_edit(
        membership=membership,
        workflow=workflow,
        edit={"op": "reword", "ref": ref, "text": "Sign in to ServiceNow"},
    )
    run = services.workflow_regenerate(membership=membership, workflow=workflow)
    services.run_build(run=run, generation=run.generation)

    workflow.refresh_from_db()
    assert edited.number == 2
    assert edited.steps[0]["text"] == "Sign in to ServiceNow"
    assert workflow.current_version.number == 3
    assert workflow.current_version.steps[0]["text"] == "Sign in to ServiceNow"
    diff = selectors.version_diff(
        older=selectors.version_get(workflow=workflow, number=1),
        newer=selectors.version_get(workflow=workflow, number=2),
    )
    assert "+1\\. Sign in to ServiceNow — ServiceNow, 7 s (events 1, 2)  " in diff


def test_workflow_edit_refused_for_viewers(organization, outage):
    from tests import factories

    workflow = build_sample(organization, outage)
    viewer = factories.member_add(organization=organization, role="viewer")
    membership = organization.memberships.get(user=viewer)

    with pytest.raises(ApplicationError) as raised:
        services.workflow_edit(
            membership=membership,
            workflow=workflow,
            edit={"op": "delete", "ref": workflow.current_version.steps[0]["ref"]},
        )

    assert raised.value.code == "permission_denied"


def test_workflow_generate_uses_organization_system_rules(
    organization, owner, recording_factory
):
    membership = organization.memberships.get(user=owner)
    services.system_rule_create(
        membership=membership,
        host_pattern="*.acme-corp.net",
        name="Acme internal",
        kind="admin",
    )

    workflow = build_sample(organization, recording_factory(organization))

    systems = {step["system"] for step in workflow.current_version.steps}
    assert "Acme internal" in systems
    assert "Grafana" not in systems


def _month(organization):
    from apps.accounts.selectors import month_start

    return month_start(organization=organization)


def test_workflow_generate_refuses_an_empty_recording_before_counting_it(
    organization, outage
):
    with pytest.raises(ApplicationError) as refused:
        services.workflow_generate(
            organization=organization, recording=recording_emptied(outage)
        )

    assert refused.value.code == "recording_empty"
    assert refused.value.status == 409
    assert refused.value.message == (
        "The recording holds no events, so there is nothing to document. "
        "Record the incident again."
    )
    assert not Workflow.objects.filter(organization=organization).exists()
    assert _usage(organization) == 0


def test_a_failed_first_build_stops_counting_against_the_quota(
    organization, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    assert _usage(organization) == 1

    build_failed(monkeypatch, workflow)

    assert workflow.state == State.FAILED
    assert workflow.failure_reason == "The map broke."
    assert workflow.quota_month is None
    assert _usage(organization) == 0


def test_trying_again_counts_a_failed_workflow_once_more_and_builds_it(
    organization, owner, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    build_failed(monkeypatch, workflow)
    membership = organization.memberships.get(user=owner)

    (run,) = services.workflow_retry(membership=membership, workflow=workflow)
    services.run_build(run=run, generation=run.generation)

    workflow.refresh_from_db()
    assert workflow.state == State.READY
    assert workflow.quota_month == _month(organization)
    assert _usage(organization) == 1


def test_trying_again_is_refused_once_the_quota_is_used_up(
    organization, owner, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    build_failed(monkeypatch, workflow)
    MonthlyUsage.objects.filter(organization=organization).update(workflows_created=5)
    membership = organization.memberships.get(user=owner)

    with pytest.raises(ApplicationError) as refused:
        services.workflow_retry(membership=membership, workflow=workflow)

    workflow.refresh_from_db()
    assert refused.value.code == "quota_exceeded"
    assert workflow.state == State.FAILED
    assert workflow.quota_month is None
    assert workflow.reference_run.generation == 1


def test_a_superseded_build_failing_changes_nothing(organization, owner, outage):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = workflow.reference_run
    membership = organization.memberships.get(user=owner)
    services.workflow_regenerate(membership=membership, workflow=workflow)

    services.run_build_failed(run=run, generation=1, reason="Gone away.")

    workflow.refresh_from_db()
    run.refresh_from_db()
    assert (workflow.state, run.state, run.generation) == ("queued", "queued", 2)
    assert workflow.quota_month == _month(organization)
    assert _usage(organization) == 1


def test_a_failed_build_of_a_documented_workflow_keeps_counting(
    organization, owner, workflow, monkeypatch
):
    membership = organization.memberships.get(user=owner)
    services.workflow_regenerate(membership=membership, workflow=workflow)
    workflow.reference_run.refresh_from_db()

    build_failed(monkeypatch, workflow)

    assert workflow.state == State.FAILED
    assert workflow.quota_month == _month(organization)
    assert _usage(organization) == 1


def test_a_failed_build_of_an_empty_recording_gives_its_quota_back_and_no_retry(
    organization, owner, outage
):
    from apps.workflows.tasks import run_build_task

    workflow = services.workflow_generate(organization=organization, recording=outage)
    run = workflow.reference_run
    recording_emptied(outage)
    membership = organization.memberships.get(user=owner)

    run_build_task.run(organization.pk, run.pk, run.generation)
    workflow.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.workflow_retry(membership=membership, workflow=workflow)

    assert workflow.state == State.FAILED
    assert workflow.failure_reason == (
        "The recording holds no events, so there is nothing to document."
    )
    assert _usage(organization) == 0
    assert refused.value.code == "recording_empty"
    run.refresh_from_db()
    assert (run.state, run.generation) == (State.FAILED, 1)


def test_recording_finished_generates_the_workflow(
    organization, settings, django_capture_on_commit_callbacks
):
    settings.WORKFLOWS_GENERATE_ON_FINISH = True
    settings.WORKFLOWS_QUEUE = "unused-in-this-test"
    from tests.workflows.conftest import import_sample

    with django_capture_on_commit_callbacks(execute=True):
        recording = import_sample(organization)

    run = selectors.run_for_recording(organization=organization, recording=recording)
    assert run is not None
    assert run.workflow.state == State.QUEUED
    assert _usage(organization) == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"host_pattern": "a" * 300}, "host_pattern"),
        ({"host_pattern": "a*a*a*a*a*c"}, "host_pattern"),
        ({"path_prefix": "/" + "p" * 300}, "path_prefix"),
        ({"path_prefix": "/a\x00b"}, "path_prefix"),
    ],
)
def test_system_rule_create_refuses_a_bad_rule_naming_the_field(
    organization, owner, values, field
):
    membership = organization.memberships.get(user=owner)
    arguments = {"host_pattern": "netadmin.corp", "name": "Net", "kind": "admin"}

    with pytest.raises(ApplicationError) as raised:
        services.system_rule_create(membership=membership, **{**arguments, **values})

    assert raised.value.field == field


def test_a_run_added_makes_a_version_that_counts_it_and_keeps_the_steps(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    first = workflow.current_version

    workflow = build_sample(
        organization, import_another_outage(organization), workflow=workflow
    )
    added = workflow.current_version

    assert (added.number, added.reason) == (2, SopVersion.Reason.RUN_ADDED)
    assert added.source_run_id == first.source_run_id
    assert added.steps == first.steps
    assert "*Based on 1 recording" in first.markdown
    assert "*Based on 2 recordings. The steps are the reference recording's: " in (
        added.markdown
    )


def test_an_edit_after_a_run_added_changes_only_what_it_says(
    organization, owner, outage
):
    workflow = build_sample(organization, outage)
    workflow = build_sample(
        organization, import_another_outage(organization), workflow=workflow
    )
    added = workflow.current_version
    step = added.steps[0]

    edited = services.workflow_edit(
        membership=organization.memberships.get(user=owner),
        workflow=workflow,
        edit={"op": "reword", "ref": step["ref"], "text": "Read the alert"},
    )

    assert edited.number == 3
    assert edited.markdown.replace("Read the alert", step["text"]).replace(
        "version 3", "version 2"
    ) == added.markdown.replace("version 3", "version 2")


def test_a_run_added_to_a_failed_workflow_without_a_version_builds_its_first(
    organization, outage, monkeypatch
):
    workflow = services.workflow_generate(organization=organization, recording=outage)
    failed = workflow.reference_run
    build_failed(monkeypatch, workflow)

    workflow = build_sample(
        organization, import_another_outage(organization), workflow=workflow
    )

    version = workflow.current_version
    assert (version.number, version.reason) == (1, SopVersion.Reason.GENERATED)
    assert version.source_run_id == workflow.reference_run_id != failed.pk
    assert workflow.quota_month == _month(organization)
    assert _usage(organization) == 1
    # The first run is still not built, and the workflow says so.
    assert workflow.state == State.FAILED
    assert workflow.failure_reason == (
        "The run of “Berlin office lost network access” was not built. The map broke."
    )


def test_a_run_built_while_the_first_still_waits_leaves_the_workflow_waiting(
    organization, outage
):
    workflow = services.workflow_generate(organization=organization, recording=outage)

    workflow = build_sample(
        organization, import_another_outage(organization), workflow=workflow
    )

    assert (workflow.state, workflow.current_version) == (State.QUEUED, None)
    run = workflow.reference_run
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    assert workflow.state == State.READY
    assert "*Based on 2 recordings." in workflow.current_version.markdown


def test_trying_again_builds_the_added_run_that_failed(
    organization, owner, workflow, monkeypatch
):
    reference = workflow.reference_run
    added = import_another_outage(organization)
    services.workflow_generate(
        organization=organization, recording=added, workflow=workflow
    )
    run = selectors.run_for_recording(organization=organization, recording=added)
    build_failed(monkeypatch, workflow, run=run)
    assert workflow.state == State.FAILED
    assert workflow.failure_reason == (
        "The run of “Berlin office lost network access” was not built. The map broke."
    )

    retried = services.workflow_retry(
        membership=organization.memberships.get(user=owner), workflow=workflow
    )

    assert [r.pk for r in retried] == [run.pk]
    reference.refresh_from_db()
    run.refresh_from_db()
    assert (reference.state, reference.generation) == (State.READY, 1)
    assert (run.state, run.generation) == (State.QUEUED, 2)
    services.run_build(run=run, generation=run.generation)
    workflow.refresh_from_db()
    assert (workflow.state, workflow.failure_reason) == (State.READY, "")
    assert workflow.current_version.reason == SopVersion.Reason.RUN_ADDED
    assert _usage(organization) == 1
