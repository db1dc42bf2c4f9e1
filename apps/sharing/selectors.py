"""Reads of share links; every one is scoped by organization or by token."""

import hashlib
import json

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.selectors import member_list
from apps.core.selectors import get_scoped_or_404
from apps.reports.rendering import report_context, report_pdf_html
from apps.reports.report import REPORT_VERSION, build_report
from apps.workflows.documents import document_numbered
from apps.workflows.mermaid import build_mermaid, document_steps
from apps.workflows.models import Run, State
from apps.workflows.selectors import (
    run_list,
    version_get,
    workflow_list,
    workflow_traces,
)

from .models import SharedPdf, ShareLink
from .names import (
    name_aliases,
    owner_names,
    person_names,
    sop_words,
    without_names,
)

# As long as the workflow page keeps its report: a changed input makes a new
# key, so the time only bounds how long an unused report takes up room.
REPORT_CACHE_SECONDS = 24 * 60 * 60


def _active(queryset, now=None):
    now = now or timezone.now()
    return queryset.filter(revoked_at=None).filter(
        Q(expires_at=None) | Q(expires_at__gt=now)
    )


def share_link_active_list(*, organization, user=None):
    """Return the organization's active links; only ``user``'s when given."""
    links = _active(ShareLink.objects.for_organization(organization))
    if user is not None:
        links = links.filter(created_by=user)
    return links.select_related("workflow", "sop_version", "created_by")


def share_link_get(*, organization, share_link_id):
    return get_scoped_or_404(
        ShareLink.objects.select_related("workflow"),
        organization=organization,
        pk=share_link_id,
    )


def share_link_for_token(*, token):
    """Return the active link whose token is ``token``, or None.

    Revoked and expired links are not found: the page answers 404 the moment
    either happens.
    """
    if not token or len(token) > 100:
        return None
    return (
        _active(ShareLink.objects.all())
        .select_related("organization", "workflow", "sop_version")
        .filter(token_hash=ShareLink.hash(token))
        .first()
    )


def shareable_workflows(*, organization):
    """Return the organization's workflows that have an SOP to show."""
    return workflow_list(organization=organization).exclude(current_version=None)


def shared_version(*, link):
    """Return the version ``link`` shows: its pinned one, else the current."""
    return link.sop_version or version_get(workflow=link.workflow)


def shared_content(*, link):
    """Return what a shared page shows: the SOP, its version, map and report.

    Only the document is taken from the version, never its stored HTML,
    which links each step to the organization's evidence pages. Unless the
    link shows names, every person the SOP, map and report name is called
    "the agent", "Agent A", "Assignee A" or "Person A" (a caller, say)
    instead, in all three alike, email addresses are withheld, and the
    steps' refs, which can spell a name, become plain numbers. A member of
    the organization the run does not name is "a colleague"; a person
    outside it whom the run never names (say, a caller named only in a note)
    cannot be known, and stays.
    """
    workflow = link.workflow
    version = shared_version(link=link)
    if version is None:
        return {}
    key = _report_key(version, link.show_names, link.include_report)
    aliases = _link_aliases(workflow, version, link.show_names, link.include_report)
    content = {
        **_document(version, aliases),
        "version_number": version.number,
        "version_created_at": version.created_at,
    }
    report = _report(workflow, version, aliases, show_names=link.show_names, key=key)
    if report is not None:
        report_view = report_context(report["report"], title=report["title"])
        content["report_html"] = render_to_string(
            "reports/_report.html", {"report_view": report_view}
        )
    return content


def shared_document(*, version, show_names, include_report):
    """Return what the shared PDF of ``version`` is made of.

    The SOP and map source that ``shared_content`` gives a link with these
    settings and, under ``report``, the same report as the page for the PDF
    to print after the SOP: the page as HTML, with the same names hidden.
    It is empty when the link leaves the report out or no run has one.
    """
    workflow = version.workflow
    key = _report_key(version, show_names, include_report)
    aliases = _link_aliases(workflow, version, show_names, include_report)
    report = _report(workflow, version, aliases, show_names=show_names, key=key)
    return {
        **_document(version, aliases),
        "report": "" if report is None else report_pdf_html(**report),
    }


# What of a run its shared page reads: the build that stored its steps, and
# the recording's title and agent, else the member who uploaded it.
RUN_INPUTS = (
    "pk",
    "generation",
    "state",
    "generated_at",
    "recording__title",
    "recording__agent",
    "recording__created_by__name",
)


def shared_document_inputs(*, version, show_names, include_report):
    """Return what ``shared_document`` reads, without building the document.

    A version is never changed once stored, so its id stands for its SOP and
    map; the workflow's title and edits feed the report's; each run counts by
    its build (a new build stores new steps) and by what names its agent.
    The members' names matter only while names are hidden. Cheap enough for
    every visit: a few small queries, no report built.
    """
    workflow = version.workflow
    runs = (
        Run.objects.for_organization(version.organization_id)
        .filter(Q(workflow=workflow) | Q(pk=version.source_run_id))
        .order_by("pk")
        .values_list(*RUN_INPUTS)
    )
    members = [] if show_names else _member_names(workflow.organization)
    return {
        "version": [version.pk, version.number],
        "link": [show_names, include_report, REPORT_VERSION],
        "workflow": [workflow.title, workflow.edits],
        "runs": [_run_inputs(run) for run in runs],
        "members": members,
    }


def _run_inputs(run):
    """Return ``run``'s build with the agent it names, as ``_recorded_by`` does."""
    *build, agent, uploader = run
    return [*build, agent if agent.strip() or uploader is None else uploader]


def shared_report_key(*, version, show_names):
    """Return the cache key of the report that links to ``version`` show.

    It hashes what ``shared_document_inputs`` reads, which is all the
    report is built from: a new build of a run, an edit, or a renamed
    member while names are hidden makes a new key.
    """
    inputs = shared_document_inputs(
        version=version, show_names=show_names, include_report=True
    )
    encoded = json.dumps(inputs, sort_keys=True, default=str)
    return f"sharing:report:{hashlib.sha256(encoded.encode()).hexdigest()}"


def _report_key(version, show_names, include_report):
    """Return the key of the report a link shows, or None when it shows none.

    Read before the names to hide and the runs: rows changing in between
    then leave a newer report under an older key, which no later visit asks
    for, rather than a report under the newer key that hides the older
    names (a member renamed meanwhile would show by their new name).
    """
    if not include_report:
        return None
    return shared_report_key(version=version, show_names=show_names)


def _report(workflow, version, aliases, *, show_names, key):
    """Return the report on the workflow's runs and its title, names hidden.

    None when the link leaves it out (no ``key``) or no run has a report.
    The report is built once for the same inputs and then read from the
    cache under ``key``, by every visit and the PDF alike. It is kept only
    if ``key`` still stands for the rows once it is built: names read
    meanwhile may not be the ones the key stands for, and a member renamed
    and renamed back would find it.
    """
    if key is None:
        return None
    report = cache.get(key)
    if report is None:
        traces = workflow_traces(
            workflow=workflow, rewrite=lambda value: without_names(value, aliases)
        )
        if not traces:
            return None
        report = build_report(traces)
        if shared_report_key(version=version, show_names=show_names) == key:
            cache.set(key, report, REPORT_CACHE_SECONDS)
    return {"report": report, "title": without_names(workflow.title, aliases)}


def _link_aliases(workflow, version, show_names, include_report):
    return None if show_names else _aliases(workflow, version, include_report)


def _document(version, aliases):
    sop = document_numbered(without_names(version.document, aliases))
    if aliases is not None:
        sop = _numbered_refs(sop)
    return {"sop": sop, "mermaid": _map_source(version, aliases)}


def _aliases(workflow, version, include_report):
    runs = _runs(workflow, version)
    agents, others, owners, people = _people(version, runs, include_report)
    members = _member_names(workflow.organization)
    steps = [*version.steps, *(step for run in runs for step in run.steps)]
    return name_aliases(
        agents, owners, members, people, others=others, vocabulary=sop_words(steps)
    )


def _runs(workflow, version):
    """Return the workflow's runs, and the version's own run if not one of them."""
    runs = list(run_list(workflow=workflow))
    if version.source_run is not None and version.source_run not in runs:
        runs.insert(0, version.source_run)
    return runs


def _recorded_by(run):
    """Return the agent ``run``'s recording names, else the member who made it.

    The extension names no agent: the member whose browser recorded the run
    uploaded it.
    """
    recording = run.recording
    if recording.agent.strip() or recording.created_by is None:
        return recording.agent
    return recording.created_by.name


def _shown(version, runs, include_report):
    """Return the runs whose agents the page shows: the SOP's, and the report's.

    A version with no run of its own stands for all of them.
    """
    if version.source_run is None:
        return runs
    reported = [run for run in runs if include_report and run.state == State.READY]
    return [version.source_run, *reported]


def _people(version, runs, include_report):
    """Return everyone a shared page could name.

    That is the agents of the runs it shows, the agents of the workflow's
    other ``runs``, and the owners and other people any run chose.
    """
    shown = _shown(version, runs, include_report)
    agents = [_recorded_by(run) for run in shown]
    others = [_recorded_by(run) for run in runs if run not in shown]
    owners, people = owner_names(version.steps), person_names(version.steps)
    for run in runs:
        owners += owner_names(run.steps)
        people += person_names(run.steps)
    return agents, others, owners, people


def _numbered_refs(document):
    """Return ``document`` with each step's ref its number, as "step-12".

    A ref is built from what the step acted on, such as a clicked link's
    text, and so can carry a name in a form no alias matches ("dana-wright").
    A wait has no number: its ref counts the waits, as "wait-2".
    """
    waits = 0
    phases = []
    for phase in document["phases"]:
        steps = []
        for step in phase["steps"]:
            if step["number"] is None:
                waits += 1
                ref = f"wait-{waits}"
            else:
                ref = f"step-{step['number']}"
            steps.append({**step, "ref": ref})
        phases.append({**phase, "steps": steps})
    return {**document, "phases": phases}


def _member_names(organization):
    """Return each member's display name and first and last name."""
    names = []
    for membership in member_list(organization=organization):
        user = membership.user
        names += [user.name, f"{user.first_name} {user.last_name}"]
    return names


def _map_source(version, aliases):
    """Return the map's source, drawn again without names when they are hidden."""
    if aliases is None:
        return version.mermaid
    return build_mermaid(document_steps(without_names(version.document, aliases)))


def shared_pdf_get(*, organization_id, shared_pdf_id):
    """Return the organization's stored shared PDF ``shared_pdf_id``, or None."""
    return (
        SharedPdf.objects.filter(organization_id=organization_id, pk=shared_pdf_id)
        .select_related("sop_version__workflow__organization")
        .first()
    )
