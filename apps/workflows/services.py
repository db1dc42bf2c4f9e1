"""Writes to workflows: generate, build runs, edit, regenerate, rules.

Generation is two steps. ``workflow_generate`` runs in the request (or on
the finish signal): it reserves quota for a new workflow inside the
transaction that creates it, creates the run, and enqueues the build once
that transaction commits. ``run_build`` runs in the Celery worker: it
computes everything outside any transaction and stores the result in one
transaction, keyed so that running it twice stores it once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.services import usage_release_workflow, usage_reserve_workflow
from apps.core.errors import ApplicationError
from apps.core.jobs import task_enqueue
from apps.recordings.selectors import recording_events

from . import builds, documents, selectors
from .edits import EditError, validate_edit
from .models import Run, SopVersion, State, SystemRule, Workflow
from .pipeline import from_steps, generate
from .steps import step_from_dict
from .systems import KINDS, MAX_PATTERN, validate_host_pattern

logger = logging.getLogger(__name__)

# A restored version's key starts so; the rest names the version restored.
# Migration 0003 spells the prefix out too, to mark restores made before
# they had a reason of their own.
RESTORE_KEY = "restore:"
# A build that has not moved for this long lost its worker. No build runs
# past the task time limit, and by then a build a killed worker held has
# been delivered to another worker, and has moved, or never will be.
BUILD_STALLED_SECONDS = (
    settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    + settings.CELERY_TASK_TIME_LIMIT
)


def _extra(workflow):
    return {"organization_id": workflow.organization_id, "workflow_id": workflow.pk}


def _require_editor(membership):
    if membership is None or not membership.can_edit:
        raise ApplicationError(
            _("Viewers can read workflows but not change them."),
            code="permission_denied",
            status=403,
        )


# ------------------------------------------------------------------------------
# Generate
# ------------------------------------------------------------------------------
def workflow_generate(
    *, organization, recording, workflow=None, user=None, enqueue=True
):
    """Return the workflow the recording documents, creating it if new.

    A new workflow counts against the month's quota; a run added to an
    existing workflow does not. Refused before any work starts, and before
    anything counts, when the quota is used up or the recording is
    unfinished or holds no events; the recording stays as it is.
    """
    if recording.organization_id != organization.pk:
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    refusal = selectors.recording_generate_refusal(recording=recording)
    if refusal is not None:
        raise refusal
    existing = selectors.run_for_recording(
        organization=organization, recording=recording
    )
    if existing is not None:
        return existing.workflow

    try:
        with transaction.atomic():
            run = _create_run(organization, recording, workflow, user)
    except IntegrityError:
        # The same recording was generated concurrently; the other one won.
        existing = selectors.run_for_recording(
            organization=organization, recording=recording
        )
        if existing is None:
            raise
        return existing.workflow
    if enqueue:
        _enqueue_build(run, user=user)
    logger.info("Workflow generation queued", extra=_extra(run.workflow))
    return run.workflow


def _create_run(organization, recording, workflow, user):
    if workflow is None:
        workflow = Workflow.objects.create(
            organization=organization,
            title=recording.title or _("Untitled %(kind)s") % {"kind": recording.kind},
            kind=recording.kind or "incident",
            created_by=user,
            quota_month=usage_reserve_workflow(organization=organization),
        )
    else:
        workflow = selectors.workflow_get(
            organization=organization, workflow_id=workflow.pk, for_update=True
        )
    reference = workflow.reference_run
    run = Run.objects.create(
        organization=organization, workflow=workflow, recording=recording
    )
    fields = {"state": State.QUEUED, "progress": 0, "failure_reason": ""}
    if builds.takes_reference(
        reference.state if reference else None,
        has_version=workflow.current_version_id is not None,
    ):
        # A workflow whose reference run failed before making a version
        # is built from the run added instead, and counts again.
        _quota_hold(workflow)
        fields["reference_run"] = run
    Workflow.objects.filter(pk=workflow.pk).update(**fields)
    workflow.refresh_from_db()
    run.workflow = workflow
    return run


def _quota_hold(workflow):
    """Count ``workflow`` against this month's quota, unless it counts already.

    Called with its row locked, before its reference run is built: a
    workflow counts from then until it has a version, or until that build
    fails (``_quota_release``).
    """
    if workflow.quota_month is not None:
        return
    workflow.quota_month = usage_reserve_workflow(organization=workflow.organization)
    Workflow.objects.filter(pk=workflow.pk).update(quota_month=workflow.quota_month)


def _quota_release(workflow, run):
    """Give back the quota a workflow took for a build of ``run`` that failed.

    Only a failed build of the reference run of a workflow that has no
    version yet gives it back: the workflow documented nothing. Once a
    version exists, the workflow counts for good, deleted or failing later.
    """
    if workflow.quota_month is None or workflow.reference_run_id != run.pk:
        return
    if SopVersion.objects.filter(workflow=workflow).exists():
        return
    usage_release_workflow(
        organization=workflow.organization, month=workflow.quota_month
    )
    Workflow.objects.filter(pk=workflow.pk).update(quota_month=None)


def _queue_options():
    # Workflows may have workers of their own: they need Chromium.
    queue = settings.WORKFLOWS_QUEUE
    return {"queue": queue} if queue else {}


def _enqueue_build(run, *, user=None):
    from .tasks import run_build_task

    user_id = user.pk if user is not None else None
    args = (run.organization_id, run.pk, run.generation, user_id)
    task_enqueue(run_build_task, args, **_queue_options())


def _progress(workflow_id, state, progress, reason=""):
    Workflow.objects.filter(pk=workflow_id).update(
        state=state, progress=progress, failure_reason=reason, updated_at=timezone.now()
    )


def run_build(*, run, generation, user=None):
    """Build the run's steps and, for the reference run, a new SOP version.

    Safe to call twice for the same ``generation``: the second call finds the
    version stored under its key and stores nothing. ``user`` asked for the
    build; the version is recorded as theirs.
    """
    workflow = run.workflow
    key = f"run:{run.pk}:generation:{generation}"
    if run.generation != generation or _version_exists(workflow, key):
        logger.info("Build already done or superseded", extra=_extra(workflow))
        return None
    _progress(workflow.pk, State.RUNNING, 10)
    Run.objects.filter(pk=run.pk).update(state=State.RUNNING)

    events = recording_events(recording=run.recording)
    if not events:
        raise ApplicationError(
            _("The recording holds no events, so there is nothing to document."),
            code="recording_empty",
        )
    is_reference = workflow.reference_run_id in (None, run.pk)
    artefacts = _artefacts(workflow, run, events, edits=workflow.edits)
    _progress(workflow.pk, State.RUNNING, 40)
    rendered = _render(workflow, artefacts) if is_reference else None
    return _store_build(workflow, run, key, artefacts, rendered, is_reference, user)


def _version_exists(workflow, key):
    return SopVersion.objects.filter(workflow=workflow, key=key).exists()


def _artefacts(workflow, run, events, *, edits):
    recording = run.recording
    return generate(
        events,
        title=workflow.title,
        kind=workflow.kind,
        agent=recording.agent,
        privacy=recording.privacy,
        rules=selectors.system_rules(organization=workflow.organization),
        edits=edits,
        organization=workflow.organization.name,
        version=_next_number(workflow),
        runs=_other_runs(workflow, run),
    )


def _other_runs(workflow, run):
    """Return the steps as recorded of the workflow's other ready runs.

    Oldest first, so that the same runs always give the same SOP.
    """
    if run is None:
        return []
    others = Run.objects.filter(
        organization=workflow.organization, workflow=workflow, state=State.READY
    ).exclude(pk=run.pk)
    return list(others.order_by("created_at", "id").values_list("steps", flat=True))


def _next_number(workflow):
    highest = SopVersion.objects.filter(workflow=workflow).aggregate(n=Max("number"))
    return (highest["n"] or 0) + 1


def _render(workflow, artefacts):
    number = _next_number(workflow)
    document = documents.document_data(artefacts.sop)
    svg = documents.render_map_svg(artefacts.mermaid)
    _progress(workflow.pk, State.RUNNING, 70)
    pdf = documents.render_pdf(
        document=document,
        organization_name=workflow.organization.name,
        version_number=number,
        svg=svg,
    )
    _progress(workflow.pk, State.RUNNING, 90)
    return {"document": document, "svg": svg, "pdf": pdf}


def _locked_if_kept(organization, workflow_id):
    """Return the workflow locked for update, or None once it was deleted."""
    try:
        return selectors.workflow_get(
            organization=organization, workflow_id=workflow_id, for_update=True
        )
    except Http404:
        return None


def _store_build(workflow, run, key, artefacts, rendered, is_reference, user):
    with transaction.atomic():
        locked = _locked_if_kept(workflow.organization, workflow.pk)
        if locked is None or not Run.objects.filter(pk=run.pk).exists():
            # The recording was discarded while this build ran.
            logger.info("Build dropped: its run is gone", extra=_extra(workflow))
            return None
        if _version_exists(locked, key):
            return None
        Run.objects.filter(pk=run.pk).update(
            state=State.READY,
            failure_reason="",
            generated_at=timezone.now(),
            **run_recorded_fields(artefacts.recorded),
        )
        version = None
        if is_reference:
            version = _version_create(
                locked,
                run,
                key,
                artefacts,
                rendered,
                reason=_reason(locked),
                user=user,
            )
        elif locked.current_version_id is not None:
            version = _run_added_version(locked, key, user)
        state = _settle(locked)
    if version is not None and version.render_state == State.QUEUED:
        _enqueue_render(version)
    logger.info("Run built; the workflow is %s", state, extra=_extra(workflow))
    return version


def _run_added_version(workflow, key, user):
    """Store the current steps again as a version that counts the new run.

    The steps stay as they are; what the runs say beside them (in how many
    runs a step was taken, the steps only other runs took) now counts the
    run just built. Left to the next edit instead, that edit would change
    the SOP by more than its history says.
    """
    current = selectors.version_get(workflow=workflow)
    return _version_from_steps(
        workflow,
        current,
        [step_from_dict(data) for data in current.steps],
        key=key,
        user=user,
        skipped=current.skipped_edits,
        reason=SopVersion.Reason.RUN_ADDED,
    )


def run_recorded_fields(steps):
    """Return the run's fields for its ``steps`` as recorded.

    A run keeps what was recorded, not the SOP as edited, so that the
    report built from its steps measures the work that was done.
    """
    return {
        "steps": steps,
        "step_count": len(steps),
        "duration_ms": sum(step_from_dict(data).duration_ms for data in steps),
    }


def _reason(workflow):
    if workflow.current_version_id is None:
        return SopVersion.Reason.GENERATED
    return SopVersion.Reason.REGENERATED


def _version_create(workflow, run, key, artefacts, rendered, *, reason, user=None):
    number = _next_number(workflow)
    document = (
        rendered["document"] if rendered else documents.document_data(artefacts.sop)
    )
    version = SopVersion.objects.create(
        organization_id=workflow.organization_id,
        workflow=workflow,
        number=number,
        key=key,
        source_run=run,
        reason=reason,
        steps=artefacts.steps,
        document=document,
        edits=list(workflow.edits),
        skipped_edits=artefacts.skipped_edits,
        markdown=artefacts.markdown,
        html=documents.render_html(
            document=document, workflow_id=workflow.pk, version_number=number
        ),
        mermaid=artefacts.mermaid,
        bpmn=artefacts.bpmn.decode(),
        svg=rendered["svg"] if rendered else "",
        pdf=rendered["pdf"] if rendered else None,
        render_state=State.READY if rendered else State.QUEUED,
        created_by=user,
    )
    Workflow.objects.filter(pk=workflow.pk).update(current_version=version)
    workflow.current_version = version
    return version


def _settle(workflow):
    """Store the workflow's state as its runs' builds now make it; return it.

    Called with its row locked, once a build of one of its runs has ended.
    """
    runs = selectors.run_builds(workflow=workflow)
    state = builds.workflow_state(
        runs, has_version=workflow.current_version_id is not None
    )
    if state == State.READY:
        _progress(workflow.pk, state, 100)
    elif state == State.FAILED:
        _progress(workflow.pk, state, 0, _failure_reason(workflow, runs))
    else:
        progress = workflow.progress if state == State.RUNNING else 0
        _progress(workflow.pk, state, progress)
    return state


def _failure_reason(workflow, runs):
    """Return why the workflow failed: the reason of its first failed run.

    A run other than the reference is named, since its failure leaves the
    SOP as it was.
    """
    failed = builds.failed_builds(runs)
    if not failed:
        return workflow.failure_reason or _(
            "The workflow has no SOP yet. Try again to build it from its reference run."
        )
    first = (
        Run.objects.for_organization(workflow.organization_id)
        .select_related("recording")
        .get(pk=failed[0].run_id)
    )
    reason = first.failure_reason
    if first.pk != workflow.reference_run_id:
        reason = _("The run of “%(title)s” was not built. %(reason)s") % {
            "title": first.recording.title or first.recording_id,
            "reason": reason,
        }
    if len(failed) > 1:
        others = len(failed) - 1
        reason += " " + ngettext(
            "%(count)s other run was not built either.",
            "%(count)s other runs were not built either.",
            others,
        ) % {"count": others}
    return reason


def run_build_failed(*, run, generation, reason):
    """Mark the run failed with a reason a person understands.

    The workflow fails with it, once no other build of its runs is under
    way. A build superseded by a newer ``generation`` changes nothing. A
    workflow whose first build failed no longer counts against the quota.
    """
    with transaction.atomic():
        workflow = _locked_if_kept(run.organization, run.workflow_id)
        if workflow is None:
            # The recording was discarded while this build ran.
            return
        current = Run.objects.filter(pk=run.pk, generation=generation)
        if not current.update(state=State.FAILED, failure_reason=reason):
            return
        _settle(workflow)
        _quota_release(workflow, run)
    logger.warning("Workflow generation failed: %s", reason, extra=_extra(workflow))


def run_builds_fail_stalled(*, now=None):
    """Fail the builds that stopped moving with their worker; return how many
    workflows they failed.

    Each such run gets a new generation, so that a build of it delivered
    again later does nothing: the page has offered to try again by then.
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=BUILD_STALLED_SECONDS)
    stalled = Workflow.objects.filter(state=State.RUNNING, updated_at__lt=cutoff)
    return sum(
        _fail_stalled(workflow_id, cutoff)
        for workflow_id in stalled.values_list("pk", flat=True)
    )


def _fail_stalled(workflow_id, cutoff):
    reason = _(
        "The build stopped without finishing: it made no progress for "
        "%(minutes)s minutes. Try again."
    ) % {"minutes": BUILD_STALLED_SECONDS // 60}
    with transaction.atomic():
        # Read again under the lock: a build that moved since is not stalled.
        workflow = (
            Workflow.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=workflow_id, state=State.RUNNING, updated_at__lt=cutoff)
            .first()
        )
        if workflow is None:
            return 0
        runs = list(Run.objects.filter(workflow=workflow, state=State.RUNNING))
        Run.objects.filter(pk__in=[run.pk for run in runs]).update(
            generation=F("generation") + 1, state=State.FAILED, failure_reason=reason
        )
        _settle(workflow)
        for run in runs:
            _quota_release(workflow, run)
    logger.error(
        "Build failed: it stalled, as its worker stopped", extra=_extra(workflow)
    )
    return 1


def workflow_retry(*, membership, workflow):
    """Queue again what failed in a failed workflow; return the runs queued.

    That is each run whose build failed, and the reference run while the
    workflow has no version (``builds.builds_to_retry``). Refused when a
    build would fail the same way, as with a recording that holds no events.
    """
    _require_editor(membership)
    with transaction.atomic():
        locked = selectors.workflow_get(
            organization=workflow.organization, workflow_id=workflow.pk, for_update=True
        )
        if locked.state != State.FAILED:
            raise ApplicationError(
                _("Only a failed workflow can be retried; this one is %(state)s.")
                % {"state": locked.get_state_display().lower()},
                code="not_failed",
                status=409,
            )
        refusal = selectors.workflow_retry_refusal(workflow=locked)
        if refusal is not None:
            raise refusal
        runs = selectors.runs_to_retry(workflow=locked)
        for run in runs:
            _queue_again(locked, run, user=membership.user)
    return runs


def workflow_regenerate(*, membership, workflow):
    """Build the reference run again into a new version.

    Counts against the quota only a workflow that counts in none: one whose
    first build failed. Refused when the build would fail the same way.
    """
    _require_editor(membership)
    with transaction.atomic():
        locked = selectors.workflow_get(
            organization=workflow.organization, workflow_id=workflow.pk, for_update=True
        )
        run = locked.reference_run
        refusal = selectors.run_build_refusal(run=run)
        if refusal is not None:
            raise refusal
        _queue_again(locked, run, user=membership.user)
    return run


def _queue_again(workflow, run, *, user):
    if run.pk == workflow.reference_run_id:
        _quota_hold(workflow)
    Run.objects.filter(pk=run.pk).update(
        generation=F("generation") + 1, state=State.QUEUED, failure_reason=""
    )
    run.refresh_from_db()
    _progress(workflow.pk, State.QUEUED, 0)
    _enqueue_build(run, user=user)


def workflow_set_reference(*, membership, workflow, run):
    _require_editor(membership)
    if run.workflow_id != workflow.pk:
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    Workflow.objects.filter(pk=workflow.pk).update(reference_run=run)
    workflow.refresh_from_db()
    return workflow_regenerate(membership=membership, workflow=workflow)


def workflow_delete(*, membership, workflow):
    """Delete the workflow; the quota it counted against stays used."""
    _require_editor(membership)
    logger.info("Workflow deleted", extra=_extra(workflow))
    workflow.delete()


def workflow_forget_recording(*, recording):
    """Delete what was made from a discarded recording; return what is left.

    The run goes, and with it every SOP version generated from it (links
    pinned to those versions then open nothing). A workflow left with no run
    is deleted, share links and all; the quota it counted against stays
    used. When the run was the reference, the next run becomes the reference
    and is built again.
    """
    with transaction.atomic():
        run = (
            Run.objects.for_organization(recording.organization_id)
            .filter(recording_id=recording.pk)
            .first()
        )
        if run is None:
            return None
        workflow = selectors.workflow_get(
            organization=recording.organization,
            workflow_id=run.workflow_id,
            for_update=True,
        )
        others = Run.objects.filter(workflow=workflow).exclude(pk=run.pk)
        if not others.exists():
            logger.info("Workflow deleted with its recording", extra=_extra(workflow))
            workflow.delete()
            return None
        SopVersion.objects.filter(workflow=workflow, source_run=run).delete()
        run.delete()
        workflow.refresh_from_db()
        if workflow.reference_run_id is None or workflow.current_version_id is None:
            reference = workflow.reference_run or others.order_by("created_at", "id")[0]
            Workflow.objects.filter(pk=workflow.pk).update(reference_run=reference)
            workflow.reference_run = reference
            _rebuild_after_forget(workflow, reference)
        else:
            # The run may have been the one whose failure failed the workflow.
            _settle(workflow)
        logger.info("Run deleted with its recording", extra=_extra(workflow))
    workflow.refresh_from_db()
    return workflow


def _rebuild_after_forget(workflow, reference):
    """Queue the new reference run's build, or say why it cannot be built.

    Nobody asked for this build, so what refuses it (a workflow that no
    longer counts against a quota used up since) marks the workflow failed
    rather than the deletion.
    """
    try:
        _queue_again(workflow, reference, user=None)
    except ApplicationError as error:
        _progress(workflow.pk, State.FAILED, 0, error.message)


# ------------------------------------------------------------------------------
# Edit
# ------------------------------------------------------------------------------
def workflow_edit(*, membership, workflow, edit):
    """Apply one edit to the current version's steps as a new version."""
    _require_editor(membership)
    try:
        cleaned = validate_edit(edit)
    except EditError as error:
        raise ApplicationError(str(error), code="invalid_edit") from error
    with transaction.atomic():
        locked = selectors.workflow_get(
            organization=workflow.organization, workflow_id=workflow.pk, for_update=True
        )
        current = selectors.version_get(workflow=locked)
        if current is None:
            raise ApplicationError(
                _("Wait until the workflow is ready before editing it."),
                code="not_ready",
                status=409,
            )
        version = _edited_version(locked, current, cleaned, membership.user)
    _enqueue_render(version)
    return version


def _edited_version(workflow, current, edit, user):
    from .edits import apply_edits

    if edit["op"] == "reword" and _unchanged_text(current, edit):
        # Saving a step as it reads changes nothing: no version, no edit.
        return current
    steps = [step_from_dict(data) for data in current.steps]
    if edit["op"] == "move_phase":
        steps = _move_phase(steps, edit)
        skipped = []
    else:
        steps, skipped = apply_edits(steps, [edit])
    if skipped:
        raise ApplicationError(
            _("That step is no longer in the current version; reload the page."),
            code="step_missing",
            status=409,
        )
    workflow.edits = [*workflow.edits, edit]
    Workflow.objects.filter(pk=workflow.pk).update(edits=workflow.edits)
    return _version_from_steps(
        workflow, current, steps, key=f"edit:{_next_number(workflow)}", user=user
    )


def _unchanged_text(version, edit):
    return any(
        step["ref"] == edit["ref"] and step["text"] == edit["text"]
        for step in version.steps
    )


def workflow_restore(*, membership, workflow, version):
    """Make ``version``'s steps the SOP again, as a new version.

    The workflow's edits become the edits in force when ``version`` was
    made, so that generating again from the same reference run rebuilds
    the restored steps rather than the ones they replace. Regenerating from
    another reference run applies those edits to that run, as any
    regeneration does.
    """
    _require_editor(membership)
    if version.workflow_id != workflow.pk:
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    with transaction.atomic():
        locked = selectors.workflow_get(
            organization=workflow.organization, workflow_id=workflow.pk, for_update=True
        )
        locked.edits = list(version.edits)
        Workflow.objects.filter(pk=locked.pk).update(edits=locked.edits)
        restored = _version_from_steps(
            locked,
            version,
            [step_from_dict(data) for data in version.steps],
            key=f"{RESTORE_KEY}{_next_number(locked)}:version:{version.number}",
            user=membership.user,
            skipped=version.skipped_edits,
            reason=SopVersion.Reason.RESTORED,
        )
    _enqueue_render(restored)
    logger.info("Version restored", extra=_extra(workflow))
    return restored


def version_restored_from(version):
    """Return the number of the version ``version`` restored, or ``None``.

    A restore is known by its reason; its key names the version restored.
    """
    if version.reason != SopVersion.Reason.RESTORED:
        return None
    return int(version.key.rpartition(":")[2])


def _version_from_steps(
    workflow, base, steps, *, key, user, skipped=(), reason=SopVersion.Reason.EDITED
):
    """Store ``steps`` as the workflow's next version, made by the editor.

    ``base`` is the version they came from: its run and recording.
    """
    run = base.source_run
    artefacts = from_steps(
        steps,
        title=workflow.title,
        kind=workflow.kind,
        agent=run.recording.agent if run else "",
        privacy=run.recording.privacy if run else {},
        organization=workflow.organization.name,
        version=_next_number(workflow),
        skipped=skipped,
        runs=_other_runs(workflow, run),
    )
    return _version_create(
        workflow,
        run,
        key,
        artefacts,
        None,
        reason=reason,
        user=user,
    )


def _move_phase(steps, edit):
    from dataclasses import replace

    moved = []
    found = False
    for step in steps:
        if step.ref == edit["ref"]:
            step = replace(
                step, phase=edit["phase"], phase_source="editor", edited=True
            )
            found = True
        moved.append(step)
    if not found:
        raise ApplicationError(
            _("That step is no longer in the current version; reload the page."),
            code="step_missing",
            status=409,
        )
    return moved


def _enqueue_render(version):
    from .tasks import version_render_task

    args = (version.organization_id, version.pk)
    task_enqueue(version_render_task, args, **_queue_options())


def version_render(*, version):
    """Render the map SVG and the PDF of a version that has none yet."""
    if version.render_state == State.READY:
        return version
    workflow = version.workflow
    svg = documents.render_map_svg(version.mermaid)
    pdf = documents.render_pdf(
        document=version.document,
        organization_name=workflow.organization.name,
        version_number=version.number,
        svg=svg,
    )
    SopVersion.objects.filter(pk=version.pk).update(
        svg=svg, pdf=pdf, render_state=State.READY, render_failure=""
    )
    version.refresh_from_db()
    return version


def version_render_failed(*, version, reason):
    SopVersion.objects.filter(pk=version.pk).update(
        render_state=State.FAILED, render_failure=reason
    )


# ------------------------------------------------------------------------------
# System rules
# ------------------------------------------------------------------------------
def system_rule_create(*, membership, host_pattern, name, kind, path_prefix=""):
    _require_editor(membership)
    try:
        pattern = validate_host_pattern(host_pattern)
    except ValueError as error:
        raise ApplicationError(
            str(error), code="invalid", field="host_pattern"
        ) from error
    path_prefix = _clean_path_prefix(path_prefix)
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(
            _("Give the system a name."), code="required", field="name"
        )
    if "\x00" in name:
        raise ApplicationError(
            _("The name holds a NUL character; type it again."),
            code="invalid",
            field="name",
        )
    if kind not in KINDS:
        raise ApplicationError(
            _("Choose the kind of system."), code="invalid", field="kind"
        )
    try:
        with transaction.atomic():
            return SystemRule.objects.create(
                organization=membership.organization,
                host_pattern=pattern,
                path_prefix=path_prefix,
                name=name[:80],
                kind=kind,
            )
    except IntegrityError:
        raise ApplicationError(
            _("There is already a rule for %(host)s.") % {"host": pattern},
            code="duplicate",
            field="host_pattern",
        ) from None


def _clean_path_prefix(path_prefix):
    path_prefix = (path_prefix or "").strip()
    if len(path_prefix) > MAX_PATTERN:
        raise ApplicationError(
            _("The path prefix is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(path_prefix), "limit": MAX_PATTERN},
            code="too_long",
            field="path_prefix",
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path_prefix):
        raise ApplicationError(
            _("The path prefix holds a control character; type it again."),
            code="invalid",
            field="path_prefix",
        )
    return path_prefix


def system_rule_delete(*, membership, rule):
    _require_editor(membership)
    rule.delete()
