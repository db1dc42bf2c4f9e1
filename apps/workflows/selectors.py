"""Reads of workflows, runs and SOP versions, always scoped by organization."""

import difflib

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.selectors import get_scoped_or_404
from apps.recordings.models import RecordingStatus

from .builds import Build, builds_to_retry
from .compare import compare_steps
from .models import Run, SopVersion, SystemRule, Workflow
from .pipeline import report_steps
from .sop import UNNUMBERED_KINDS, numbered_steps
from .systems import Rule
from .traces import steps_to_trace


def _run_count():
    runs = (
        Run.objects.filter(workflow=OuterRef("pk"))
        .order_by()
        .values("workflow")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(runs), 0)


def workflow_list(*, organization):
    """Return the organization's workflows, each with its ``run_count``."""
    return (
        Workflow.objects.for_organization(organization)
        .select_related("current_version", "reference_run")
        .annotate(run_count=_run_count())
    )


def workflow_get(*, organization, workflow_id, for_update=False):
    queryset = Workflow.objects.select_related("organization")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, organization=organization, pk=workflow_id)


def run_get(*, organization, run_id):
    queryset = Run.objects.select_related("workflow", "recording")
    return get_scoped_or_404(queryset, organization=organization, pk=run_id)


# A run stores every recorded step, waits among them; the SOP numbers only
# the others (``sop.step_numbers``). Counted in the database, so that a list
# of runs need not read their steps.
_UNNUMBERED_IN_RUN = {
    "postgresql": (
        'SELECT count(*) FROM jsonb_array_elements("workflows_run"."steps") AS step'
        " WHERE step ->> 'kind' IN ({kinds})"
    ),
    "sqlite": (
        'SELECT count(*) FROM json_each("workflows_run"."steps") AS step'
        " WHERE json_extract(step.value, '$.kind') IN ({kinds})"
    ),
}


def _wait_count():
    kinds = ", ".join(["%s"] * len(UNNUMBERED_KINDS))
    sql = _UNNUMBERED_IN_RUN[connection.vendor].format(kinds=kinds)
    return RawSQL(f"({sql})", UNNUMBERED_KINDS, output_field=IntegerField())


def _steps_counted(runs):
    return runs.annotate(wait_count=_wait_count()).annotate(
        numbered_count=F("step_count") - F("wait_count")
    )


def run_list(*, workflow):
    """Return the workflow's runs, with their waits and numbered steps counted.

    ``step_count`` counts every recorded step; ``numbered_count`` only those
    the SOP gives a number, and ``wait_count`` the rest.
    """
    runs = (
        Run.objects.for_organization(workflow.organization_id)
        .filter(workflow=workflow)
        .select_related("recording__created_by")
    )
    return _steps_counted(runs)


def run_summaries(*, organization):
    """Return the organization's runs with their workflows, steps counted as
    ``run_list`` counts them; the stored steps themselves are not read."""
    runs = (
        Run.objects.for_organization(organization)
        .select_related("workflow")
        .defer("steps")
    )
    return _steps_counted(runs)


def recording_generate_refusal(*, recording):
    """Return the error generating a workflow from ``recording`` meets, or None.

    Building a run of it again meets the same error: nothing about the
    recording changes once it is finished.
    """
    if recording.status != RecordingStatus.FINISHED:
        return ApplicationError(
            _("Finish the recording before generating its workflow."),
            code="recording_not_finished",
            status=409,
        )
    if not recording.event_count:
        return ApplicationError(
            _(
                "The recording holds no events, so there is nothing to document. "
                "Record the incident again."
            ),
            code="recording_empty",
            status=409,
        )
    return None


def run_build_refusal(*, run):
    """Return why building ``run`` again would fail as it did, or None when
    it may succeed; ``run`` may be None, as a workflow's reference may be."""
    if run is None:
        return ApplicationError(
            _("This workflow has no run to generate from."), code="no_run"
        )
    return recording_generate_refusal(recording=run.recording)


def run_builds(*, workflow, runs=None):
    """Return ``builds.Build`` of each of the workflow's runs, or of ``runs``."""
    if runs is None:
        runs = Run.objects.for_organization(workflow.organization_id).filter(
            workflow=workflow
        )
    return [
        Build(run.pk, run.state, reference=run.pk == workflow.reference_run_id)
        for run in runs
    ]


def runs_to_retry(*, workflow):
    """Return the runs trying again builds, the reference run first."""
    runs = {
        run.pk: run
        for run in Run.objects.for_organization(workflow.organization_id)
        .filter(workflow=workflow)
        .select_related("recording")
    }
    retried = builds_to_retry(
        run_builds(workflow=workflow, runs=runs.values()),
        has_version=workflow.current_version_id is not None,
    )
    return [runs[build.run_id] for build in retried]


def workflow_retry_refusal(*, workflow):
    """Return why trying the workflow again would fail as it did, or None
    when it may succeed."""
    runs = runs_to_retry(workflow=workflow) or [None]
    refusals = (run_build_refusal(run=run) for run in runs)
    return next((refusal for refusal in refusals if refusal is not None), None)


def run_for_recording(*, organization, recording):
    return (
        Run.objects.for_organization(organization)
        .filter(recording=recording)
        .select_related("workflow")
        .first()
    )


def version_list(*, workflow):
    return (
        SopVersion.objects.for_organization(workflow.organization_id)
        .filter(workflow=workflow)
        .select_related("created_by")
        .defer("pdf", "svg", "html", "markdown", "mermaid", "bpmn", "document")
    )


def version_get(*, workflow, number=None):
    """Return version ``number`` of ``workflow``, or its current one; 404 if none."""
    queryset = SopVersion.objects.filter(workflow=workflow)
    if number is None:
        if workflow.current_version_id is None:
            return None
        number_lookup = {"pk": workflow.current_version_id}
    else:
        number_lookup = {"number": number}
    return get_scoped_or_404(
        queryset, organization=workflow.organization_id, **number_lookup
    )


def version_step_changes(*, older, newer):
    """Return how ``newer``'s steps differ from ``older``'s, step by step.

    Only numbered steps are compared, so that each row's numbers are the
    ones the two SOPs show; a wait is the run's time, not a step.
    """
    return compare_steps(numbered_steps(older.steps), numbered_steps(newer.steps))


def version_diff(*, older, newer):
    """Return the unified diff of two versions' Markdown, as lines."""
    return list(
        difflib.unified_diff(
            older.markdown.splitlines(),
            newer.markdown.splitlines(),
            fromfile=f"version {older.number}",
            tofile=f"version {newer.number}",
            lineterm="",
        )
    )


def system_rule_list(*, organization):
    return SystemRule.objects.for_organization(organization)


def system_rules(*, organization):
    """Return the organization's rules as the classifier takes them."""
    return tuple(
        Rule(rule.host_pattern, rule.name, rule.kind, rule.path_prefix)
        for rule in system_rule_list(organization=organization)
    )


def workflow_traces(*, workflow, rewrite=None):
    """Return one ``reports.trace.Trace`` per generated run of ``workflow``.

    A trace holds every step the run recorded, with its recorded times,
    whatever the SOP editor deleted or merged; the workflow's phase moves
    and rewording apply (see ``pipeline.report_steps``). ``rewrite``, when
    given, takes each text the traces are built from (a run's stored steps,
    the editor's rewording, the run's agent and title) and returns what to
    use.
    """
    rewrite = rewrite or (lambda value: value)
    edits = rewrite(workflow.edits)
    traces = []
    for run in run_list(workflow=workflow).filter(state="ready"):
        steps = report_steps(rewrite(run.steps), edits=edits)
        traces.append(
            steps_to_trace(
                steps,
                run_id=run.pk,
                agent=rewrite(run.recording.agent),
                title=rewrite(run.recording.title),
            )
        )
    return traces


def step_evidence(*, version, number):
    """Return ``(step, events)``: the SOP step ``number`` and its recorded events."""
    from apps.recordings.selectors import recording_events

    steps = numbered_steps(version.steps)
    if not 1 <= number <= len(steps) or version.source_run is None:
        return None, []
    step = steps[number - 1]
    wanted = set(step["evidence"])
    events = recording_events(recording=version.source_run.recording)
    return step, [event for event in events if event.seq in wanted]


def workflow_report(*, workflow):
    """Return the ``reports.report.Report`` over every generated run, or None.

    Conformance is measured against the current SOP version's step keys.
    """
    from apps.reports.report import build_report

    traces = workflow_traces(workflow=workflow)
    if not traces:
        return None
    version = version_get(workflow=workflow)
    approved = [step["key"] for step in version.steps] if version else None
    return build_report(traces, approved=approved)
