import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from apps.accounts.decorators import membership_required
from apps.accounts.people import display_name
from apps.core.confirm import confirm_page, is_confirmed
from apps.core.errors import ApplicationError
from apps.core.http import number_from
from apps.core.selectors import get_scoped_or_404
from apps.recordings.selectors import recording_get
from apps.reports.exports import step_timings_csv, traces_xes
from apps.reports.rendering import report_context, report_pdf
from apps.reports.report import REPORT_VERSION

from . import documents, selectors, services
from .edits import MAX_TEXT
from .models import State, SystemKind, SystemRule
from .phases import PHASES
from .sop import NOTE_PREFIX, PHASE_TITLES, step_numbers
from .systems import MAX_PATTERN, unrecognised_hosts

EXPORTS = {
    "pdf": ("application/pdf", "pdf"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "mermaid": ("text/plain; charset=utf-8", "mmd"),
    "svg": ("image/svg+xml", "svg"),
    "bpmn": ("application/xml", "bpmn"),
}
REPORT_CACHE_SECONDS = 24 * 60 * 60
# The edits whose text is typed in a field: a wrong one goes back to it.
TYPED_EDITS = ("reword", "split", "note")
EDIT_DRAFT_KEY = "workflows:edit-draft:{workflow_id}"


def _workflow(request, workflow_id):
    return selectors.workflow_get(
        organization=request.organization, workflow_id=workflow_id
    )


@membership_required
def workflow_list(request):
    return render(
        request,
        "workflows/list.html",
        {"workflows": selectors.workflow_list(organization=request.organization)},
    )


@require_POST
@membership_required(edit=True)
def workflow_generate(request):
    recording = recording_get(
        organization=request.organization,
        recording_id=request.POST.get("recording", ""),
    )
    workflow = None
    if request.POST.get("workflow"):
        workflow = _workflow(request, request.POST["workflow"])
    workflow = services.workflow_generate(
        organization=request.organization,
        recording=recording,
        workflow=workflow,
        user=request.user,
    )
    return redirect(workflow)


def _report_key(workflow, version, runs):
    # A new version or a newly built run changes the report; nothing else does.
    built = sorted((run.pk, run.generation) for run in runs if run.state == State.READY)
    digest = hashlib.sha256(repr(built).encode()).hexdigest()[:32]
    version_id = version.pk if version else 0
    return f"workflows:report:{REPORT_VERSION}:{workflow.pk}:{version_id}:{digest}"


def _report(workflow, version=None, runs=None):
    """Return the workflow's report, computed once per version and set of runs."""
    if runs is None:
        runs = list(selectors.run_list(workflow=workflow).defer("steps"))
    if version is None:
        version = selectors.version_get(workflow=workflow)
    key = _report_key(workflow, version, runs)
    report = cache.get(key)
    if report is None:
        report = selectors.workflow_report(workflow=workflow)
        if report is not None:
            cache.set(key, report, REPORT_CACHE_SECONDS)
    return report


def _attachment(body, *, content_type, workflow, suffix):
    response = HttpResponse(body, content_type=content_type)
    filename = f"{slugify(workflow.title) or 'workflow'}-{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@membership_required
def workflow_detail(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    version = selectors.version_get(workflow=workflow)
    # The page lists the runs; their steps are read only to build the report.
    runs = list(selectors.run_list(workflow=workflow).defer("steps"))
    report = _report(workflow, version, runs) if version else None
    document = version.document if version else None
    can_edit = request.membership.can_edit
    failed = workflow.state == State.FAILED
    retried = selectors.runs_to_retry(workflow=workflow) if failed else []
    return render(
        request,
        "workflows/detail.html",
        {
            "workflow": workflow,
            "retry_refusal": failed
            and selectors.workflow_retry_refusal(workflow=workflow),
            # What trying again builds, for the page to say.
            "retry_reference": any(
                run.pk == workflow.reference_run_id for run in retried
            ),
            "retry_others": sum(run.pk != workflow.reference_run_id for run in retried),
            "version": version,
            "sop": documents.document_numbered(document) if document else None,
            "step_edits": _step_edits(version, document) if can_edit else None,
            "unrecognised_hosts": _unrecognised_hosts(version),
            "max_step_text": MAX_TEXT,
            "runs": runs,
            "report_view": report_context(report, title=workflow.title)
            if report
            else None,
            "can_edit": can_edit,
            "regenerate_workflow": workflow,
            "phases": [(phase, PHASE_TITLES[phase]) for phase in PHASES],
            "busy": workflow.state in (State.QUEUED, State.RUNNING),
            "saved_step": _saved_step(request),
            "edit_draft": request.session.pop(_draft_key(workflow), None),
        },
    )


def _unrecognised_hosts(version):
    steps = version.steps if version else []
    return unrecognised_hosts(step.get("system", "") for step in steps)


def _step_edits(version, document):
    """Return, by ref, the values each step's edit forms in the SOP need.

    The SOP gives a note step whole; a version stored before its steps
    carried their full text gives the text as stored. A wait has no number,
    as in the SOP.
    """
    if version is None or not document:
        return None
    texts = {
        step["ref"]: _editable_text(step)
        for phase in document.get("phases", [])
        for step in phase["steps"]
    }
    steps = version.steps
    numbers = step_numbers(step["kind"] for step in steps)
    return {
        step["ref"]: _step_edit(steps, index, number, texts.get(step["ref"]))
        for index, (step, number) in enumerate(zip(steps, numbers, strict=True))
    }


def _step_edit(steps, index, number, text):
    """Return the values of the edit forms of ``steps[index]``.

    Moving a step up puts it after the step two places before it (after
    none, "", from the second place); moving it down or merging takes the
    next step.
    """
    step = steps[index]
    return {
        "ref": step["ref"],
        "kind": step["kind"],
        "phase": step.get("phase", ""),
        "text": step["text"] if text is None else text,
        "number": number,
        "position": index + 1,
        "first": index == 0,
        "up_after": steps[index - 2]["ref"] if index >= 2 else "",
        "next": steps[index + 1]["ref"] if index + 1 < len(steps) else None,
    }


def _editable_text(step):
    """Return a document step's text as the editor words it.

    The SOP shows a recorded note as an aside without its "Note: "; the
    editor keeps the step's own words, which have it.
    """
    text = step.get("full_text", step["text"])
    return NOTE_PREFIX + text if step.get("aside") else text


def _saved_step(request):
    return number_from(request.GET.get("step", ""))


@require_POST
@membership_required(edit=True)
def workflow_edit(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    edit = {
        key: request.POST.get(key, "")
        for key in ("op", "ref", "text", "with", "phase", "after")
    }
    if edit["op"] == "split":
        edit["texts"] = [line for line in edit["text"].splitlines() if line.strip()]
    before = workflow.current_version_id
    try:
        version = services.workflow_edit(
            membership=request.membership, workflow=workflow, edit=edit
        )
    except ApplicationError as error:
        if error.code != "invalid_edit" or edit["op"] not in TYPED_EDITS:
            raise
        return _back_to_draft(request, workflow, edit, error)
    if version.pk == before:
        messages.info(request, _("Nothing changed: the step already reads so."))
    else:
        messages.success(request, _("Saved as a new version."))
    return redirect(_edited_step_url(workflow, version, edit["ref"]))


def _back_to_draft(request, workflow, edit, error):
    """Go back to the step, its form showing the error and the text typed."""
    version = selectors.version_get(workflow=workflow)
    if version is None:
        raise error
    request.session[_draft_key(workflow)] = {
        "ref": edit["ref"],
        "op": edit["op"],
        "text": edit["text"][: MAX_TEXT * 10],
        "error": error.message,
    }
    return redirect(_draft_field_url(workflow, version, edit))


def _draft_key(workflow):
    # One draft per workflow: a session editing two in turn keeps them apart.
    return EDIT_DRAFT_KEY.format(workflow_id=workflow.pk)


def _draft_field_url(workflow, version, edit):
    """Return the link to the field of a refused edit, open with its error.

    The field is the link's target, so the browser focuses it on arrival,
    with or without scripts.
    """
    refs = [step["ref"] for step in version.steps]
    if edit["ref"] not in refs:
        return f"{workflow.get_absolute_url()}#sop"
    position = refs.index(edit["ref"]) + 1
    return f"{workflow.get_absolute_url()}#{edit['op']}-text-{position}"


def _edited_step_url(workflow, version, ref):
    """Return the link back to the edited step where it stands in the SOP."""
    refs = [step["ref"] for step in version.steps]
    numbers = step_numbers(step["kind"] for step in version.steps)
    number = numbers[refs.index(ref)] if ref in refs else None
    if number is None:
        return f"{workflow.get_absolute_url()}#sop"
    return f"{workflow.get_absolute_url()}?step={number}#step-{number}"


@require_POST
@membership_required(edit=True)
def workflow_regenerate(request, workflow_id):
    return _build_again(
        request,
        workflow_id,
        services.workflow_regenerate,
        ready=_("Generated again: this is the new version."),
        failed=_("Generating again failed; the reason is shown below."),
        queued=_("Generating again; this page shows the progress."),
    )


@require_POST
@membership_required(edit=True)
def workflow_retry(request, workflow_id):
    return _build_again(
        request,
        workflow_id,
        services.workflow_retry,
        ready=_("Tried again: the workflow is ready."),
        failed=_("Trying again failed too; the reason is shown below."),
        queued=_("Trying again; this page shows the progress."),
    )


def _build_again(request, workflow_id, build, *, ready, failed, queued):
    """Build the workflow again with ``build``, which picks the runs; say how."""
    workflow = _workflow(request, workflow_id)
    build(membership=request.membership, workflow=workflow)
    workflow.refresh_from_db(fields=["state"])
    # Where tasks run in the request, the build is over before the page shows.
    words = {State.READY: ready, State.FAILED: failed}
    messages.success(request, words.get(workflow.state, queued))
    return redirect(workflow)


@require_POST
@membership_required(edit=True)
def workflow_set_reference(request, workflow_id, run_id):
    workflow = _workflow(request, workflow_id)
    run = selectors.run_get(organization=request.organization, run_id=run_id)
    services.workflow_set_reference(
        membership=request.membership, workflow=workflow, run=run
    )
    return redirect(workflow)


@require_POST
@membership_required(edit=True)
def workflow_delete(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            question=_(
                "Delete the workflow “%(title)s”, its SOP versions and share links? "
                "This cannot be undone."
            )
            % {"title": workflow.title},
            button=_("Delete workflow"),
            cancel_url=workflow.get_absolute_url(),
        )
    services.workflow_delete(membership=request.membership, workflow=workflow)
    messages.success(request, _("Workflow deleted."))
    return redirect("workflow_list")


@membership_required
def workflow_versions(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    versions = list(selectors.version_list(workflow=workflow))
    # Each version with the one before it; a workflow not built yet has none.
    previous = [*versions[1:], None][: len(versions)]
    return render(
        request,
        "workflows/versions.html",
        {
            "workflow": workflow,
            "versions": [
                (version, _version_change(version, before), _version_author(version))
                for version, before in zip(versions, previous, strict=True)
            ],
            "can_edit": request.membership.can_edit,
        },
    )


def _version_author(version):
    user = version.created_by
    return display_name(user) if user is not None else ""


_CHANGES = {
    "reword": _lazy("Edited: reworded step %(number)s “%(text)s”"),
    "delete": _lazy("Edited: deleted step %(number)s “%(text)s”"),
    "merge": _lazy("Edited: merged step %(number)s “%(text)s” with the next"),
    "split": _lazy("Edited: split step %(number)s “%(text)s”"),
    "move_phase": _lazy("Edited: moved step %(number)s “%(text)s” to %(phase)s"),
    "note": _lazy("Edited: added a note after step %(number)s “%(text)s”"),
}
_MOVES = {
    "down": _lazy("Edited: moved step %(number)s “%(text)s” down"),
    "up": _lazy("Edited: moved step %(number)s “%(text)s” up"),
}
# A wait has no number to name it by.
_WAIT_CHANGE = _lazy("Edited: changed the wait “%(text)s”")
STEP_TEXT_SHOWN = 40


def _version_change(version, previous):
    """Say what made ``version``: the edit, by the step as the editor saw it.

    An edit acted on ``previous``, the version before it, so the step is
    named by its number and text there. When that version is gone, or was
    not the one edited, the edit is only named.
    """
    restored = services.version_restored_from(version)
    if restored is not None:
        return _("Restored version %(number)s") % {"number": restored}
    if version.reason != version.Reason.EDITED or not version.edits:
        return version.get_reason_display()
    edit = version.edits[-1]
    before = previous.steps if _edited_from(version, previous) else []
    refs = [step["ref"] for step in before]
    if edit["ref"] not in refs:
        return version.get_reason_display()
    index = refs.index(edit["ref"])
    number = step_numbers(step["kind"] for step in before)[index]
    template = _CHANGES.get(edit["op"]) or _MOVES[_direction(version, edit, index)]
    if number is None:
        template = _WAIT_CHANGE
    return template % {
        "number": number,
        "text": Truncator(before[index]["text"]).chars(STEP_TEXT_SHOWN),
        "phase": PHASE_TITLES.get(edit.get("phase"), ""),
    }


def _edited_from(version, previous):
    return previous is not None and previous.edits == version.edits[:-1]


def _direction(version, edit, index):
    refs = [step["ref"] for step in version.steps]
    moved_to = refs.index(edit["ref"]) if edit["ref"] in refs else index
    return "down" if moved_to > index else "up"


@require_POST
@membership_required(edit=True)
def workflow_restore(request, workflow_id, version_number):
    workflow = _workflow(request, workflow_id)
    version = selectors.version_get(workflow=workflow, number=version_number)
    if not is_confirmed(request):
        return confirm_page(
            request,
            question=_(
                "Restore version %(number)s? Its steps become a new version, "
                "and generating again keeps them."
            )
            % {"number": version.number},
            button=_("Restore version"),
            cancel_url=reverse("workflow_versions", args=[workflow.pk]),
        )
    restored = services.workflow_restore(
        membership=request.membership, workflow=workflow, version=version
    )
    messages.success(
        request,
        _("Version %(number)s restored as version %(new)s.")
        % {"number": version.number, "new": restored.number},
    )
    return redirect("workflow_versions", workflow_id=workflow.pk)


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@membership_required
def workflow_compare(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    older, newer = _compared_versions(workflow, request.GET)
    rows = selectors.version_step_changes(older=older, newer=newer)
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "workflows/compare.html",
        {
            "workflow": workflow,
            "older": older,
            "newer": newer,
            "rows": rows,
            "shown_rows": rows if show_all else [r for r in rows if r.change != "same"],
            "show_all": show_all,
            "diff": selectors.version_diff(older=older, newer=newer),
        },
    )


def _compared_versions(workflow, query):
    """Return the two versions ``a`` and ``b`` of ``query`` names.

    Without ``b`` the current version is the newer side; without ``a`` the
    version before the newer side is the older one (itself if it is the
    first).
    """
    number = query.get("b")
    newer = selectors.version_get(
        workflow=workflow, number=_number(number) if number else None
    )
    if newer is None:
        raise Http404
    if query.get("a"):
        older = selectors.version_get(workflow=workflow, number=_number(query["a"]))
    else:
        before = selectors.version_list(workflow=workflow)
        older = before.filter(number__lt=newer.number).first() or newer
    return older, newer


@membership_required
def workflow_download(request, workflow_id, export_format):
    workflow = _workflow(request, workflow_id)
    if export_format not in EXPORTS:
        raise Http404
    number = request.GET.get("version")
    version = selectors.version_get(
        workflow=workflow, number=_number(number) if number else None
    )
    if version is None:
        raise Http404
    body = export_body(version, export_format, workflow.organization.name)
    if body is None:
        messages.info(request, _("The PDF is still being prepared; try again shortly."))
        return redirect(workflow)
    content_type, extension = EXPORTS[export_format]
    response = HttpResponse(body, content_type=content_type)
    filename = f"{slugify(workflow.title) or 'workflow'}-v{version.number}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@membership_required
def workflow_report_pdf(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    report = _report(workflow)
    if report is None:
        raise Http404
    body = report_pdf(
        report, title=workflow.title, base_url=request.build_absolute_uri("/")
    )
    return _attachment(
        body, content_type="application/pdf", workflow=workflow, suffix="report.pdf"
    )


@membership_required
def workflow_timings_csv(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    traces = selectors.workflow_traces(workflow=workflow)
    return _attachment(
        step_timings_csv(traces),
        content_type="text/csv; charset=utf-8",
        workflow=workflow,
        suffix="step-timings.csv",
    )


@membership_required
def workflow_runs_xes(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    traces = selectors.workflow_traces(workflow=workflow)
    return _attachment(
        traces_xes(traces),
        content_type="application/xml; charset=utf-8",
        workflow=workflow,
        suffix="runs.xes",
    )


def export_body(version, export_format, organization_name):
    """Return the stored bytes of one export, or ``None`` while not rendered."""
    if export_format == "pdf":
        return bytes(version.pdf) if version.pdf else None
    if export_format == "svg":
        return version.svg or None
    if export_format == "html":
        return documents.export_html(
            version=version, organization_name=organization_name
        )
    return {"md": version.markdown, "mermaid": version.mermaid, "bpmn": version.bpmn}[
        export_format
    ]


@membership_required
def workflow_evidence(request, workflow_id, version_number, step_number):
    workflow = _workflow(request, workflow_id)
    version = selectors.version_get(workflow=workflow, number=version_number)
    step, events = selectors.step_evidence(version=version, number=step_number)
    if step is None:
        raise Http404
    return render(
        request,
        "workflows/evidence.html",
        {
            "workflow": workflow,
            "version": version,
            "step": step,
            "events": events,
            "number": step_number,
        },
    )


RULE_FIELDS = ("host_pattern", "path_prefix", "name", "kind")


@membership_required(edit=True)
def system_rule_list(request):
    data = request.POST if request.method == "POST" else request.GET
    back = _back_from_systems(request, data)
    if request.method != "POST":
        typed = {"host_pattern": request.GET.get("host", "")[:MAX_PATTERN]}
        return _systems_page(request, back, typed)
    typed = {field: request.POST.get(field, "") for field in RULE_FIELDS}
    try:
        services.system_rule_create(membership=request.membership, **typed)
    except ApplicationError as error:
        field = error.field if error.field in RULE_FIELDS else "form"
        return _systems_page(
            request, back, typed, {field: error.message}, status=error.status
        )
    messages.success(
        request, _("Rule added; it applies to workflows generated from now on.")
    )
    # Back to the page the rule was asked for from, where its workflow can
    # be generated again; ``next`` is already checked to be on this site.
    return redirect(back["next"] or "system_rule_list")


def _systems_page(request, back, typed, errors=None, status=200):
    """Render the systems page; ``typed`` fills the new rule's fields."""
    return render(
        request,
        "workflows/systems.html",
        {
            "rules": selectors.system_rule_list(organization=request.organization),
            "typed": typed,
            "errors": errors or {},
            "kinds": SystemKind.choices,
            "can_edit": request.membership.can_edit,
            "next": back["next"],
            "back_workflow": _back_workflow(request, back["workflow"]),
        },
        status=status,
    )


def _back_from_systems(request, data):
    """Return the page the systems page was opened from, if on this site.

    ``next`` is a path on this site only; ``workflow`` the id of the workflow
    that page shows, to offer generating it again.
    """
    target = data.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    workflow = data.get("workflow", "")
    return {"next": target, "workflow": number_from(workflow) or ""}


def _back_workflow(request, workflow_id):
    if not workflow_id:
        return None
    try:
        return _workflow(request, workflow_id)
    except Http404:
        return None


@require_POST
@membership_required(edit=True)
def system_rule_delete(request, rule_id):
    rule = get_scoped_or_404(SystemRule, organization=request.organization, pk=rule_id)
    services.system_rule_delete(membership=request.membership, rule=rule)
    return redirect("system_rule_list")
