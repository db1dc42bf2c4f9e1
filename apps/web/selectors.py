"""Reads behind the web pages that are not any one app's data."""

import time

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Plan
from apps.accounts.selectors import usage_current
from apps.recordings.models import Event
from apps.recordings.selectors import (
    recording_events,
    recording_get,
    recording_list,
    recording_missing,
)
from apps.reports.selectors import (
    incident_history_now_ms,
    incident_import_latest,
    incident_import_reported,
    incident_list,
    incident_stalled_count,
)
from apps.workflows.models import Run, State, Workflow
from apps.workflows.pipeline import phased_steps
from apps.workflows.selectors import run_for_recording, system_rules, workflow_list
from apps.workflows.sop import format_duration, step_numbers
from apps.workflows.systems import unrecognised_hosts

from . import search as search_text
from .models import SearchRecordedStep, SearchStep


def plan_list():
    return Plan.objects.all()


def usage_summary(*, organization, now=None):
    """Return this month's usage as a dict a template or JSON can show."""
    used, limit, resets_on = usage_current(organization=organization, now=now)
    percent = None
    if limit is not None:
        percent = 100 if limit == 0 else min(100, round(100 * used / limit))
    return {
        "used": used,
        "limit": limit,
        "left": None if limit is None else max(0, limit - used),
        "percent": percent,
        "resets_on": resets_on.isoformat(),
        "resets_on_date": resets_on,
        "plan": organization.plan.name,
        "overridden": organization.workflow_limit_override is not None,
    }


def quota_refusal(*, organization, recording, now=None):
    """Return this month's usage when the recording has no workflow and no
    new one fits in the quota, else None."""
    if run_for_recording(organization=organization, recording=recording):
        return None
    usage = usage_summary(organization=organization, now=now)
    return usage if usage["left"] == 0 else None


def extension_package():
    """Return the path of the built extension zip, or None when not built."""
    path = settings.BASE_DIR / "dist" / "ledgerium-extension.zip"
    return path if path.is_file() else None


def recent_recordings(*, organization, limit=8):
    """Return the most recently recorded first; an undated one by its upload.

    Recordings recorded at the same moment come by upload, newest first. The
    id, which the client chose at random, only settles a tie of both.
    """
    recorded = Coalesce("started_at", "created_at")
    recordings = recording_list(organization=organization)
    return recordings.order_by(recorded.desc(), "-created_at", "-id")[:limit]


BUSY_STATES = {State.QUEUED, State.RUNNING}


def recent_workflows(*, organization, limit=8):
    return list(workflow_list(organization=organization)[:limit])


def workflow_status(workflow):
    """Return what the dashboard shows of one workflow, as JSON-ready data."""
    return {
        "key": f"workflow:{workflow.pk}",
        "state": workflow.state,
        "state_label": str(workflow.get_state_display()),
        "progress": workflow.progress,
        "busy": workflow.state in BUSY_STATES,
        "url": workflow.get_absolute_url(),
    }


def dashboard_status(*, organization):
    items = [
        workflow_status(workflow)
        for workflow in recent_workflows(organization=organization)
    ]
    usage = usage_summary(organization=organization)
    usage_html = render_to_string("web/_usage.html", {"usage": usage})
    usage.pop("resets_on_date")
    return {
        "usage": usage,
        "usage_html": usage_html,
        "items": items,
        "busy": any(item["busy"] for item in items),
    }


def _summary_number(summary, key):
    # The stored summary is read as it was built, by whichever version built
    # it: a key it lacks, or holds in another shape, is left unshown.
    value = summary.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return value


def _missed_share(summary):
    made = _summary_number(summary, "made_sla")
    missed = _summary_number(summary, "missed_sla")
    if made is None or missed is None or not made + missed:
        return None
    return missed / (made + missed)


def incident_history_overview(*, organization, now_ms=None):
    """Return what the dashboard shows of the imported incident history.

    ``None`` when the organization has imported none; otherwise the state of
    the newest import and, once a report is stored, its figures.
    """
    latest = incident_import_latest(organization=organization)
    if latest is None:
        return None
    reported = incident_import_reported(organization=organization)
    overview = {"latest": latest, "reported": reported is not None}
    if reported is None:
        return overview

    summary = reported.summary if isinstance(reported.summary, dict) else {}
    if now_ms is None:
        now_ms = round(time.time() * 1000)
    now_ms = incident_history_now_ms(organization=organization, now_ms=now_ms)
    return {
        **overview,
        "incidents": _summary_number(summary, "incidents"),
        "median_resolution_ms": _summary_number(summary, "median_resolution_ms"),
        "missed_sla_share": _missed_share(summary),
        "stalled": incident_stalled_count(
            organization=organization,
            typical_gap_ms=reported.update_gap_ms,
            now_ms=now_ms,
        ),
    }


def recording_status(*, organization, recording_id):
    """Return the state of the workflow a recording documents, as the dashboard's."""
    recording = recording_get(organization=organization, recording_id=recording_id)
    run = run_for_recording(organization=organization, recording=recording)
    items = [workflow_status(run.workflow)] if run else []
    return {"items": items, "busy": any(item["busy"] for item in items)}


SEARCH_CONFIG = "english"
SEARCH_LIMIT = 50


def _plain_text(field):
    """Return ``field`` with its angle brackets swapped for our stand-ins.

    PostgreSQL's text search parser reads ``<...>`` as an HTML tag: it would
    skip the words inside and drop the tag from the headline. Our texts are
    plain text, never HTML, so every word should count and show.
    """
    return Func(
        field,
        Value("<>"),
        Value(search_text.ANGLE_BRACKETS),
        function="translate",
        output_field=TextField(),
    )


def _postgresql_matches(queryset, field, terms, vector=None):
    # Both sides without accents, so that "Tomas" finds "Tomás" and back.
    query = SearchQuery(
        _unaccent(Value(terms.text)), config=SEARCH_CONFIG, search_type="websearch"
    )
    text = _unaccent(_plain_text(field))
    if vector is None:
        vector = SearchVector(text, config=SEARCH_CONFIG)
    # Titles and steps are a line each: show all of it, not a fragment.
    headline = SearchHeadline(
        text,
        query,
        config=SEARCH_CONFIG,
        start_sel=search_text.MATCH_START,
        stop_sel=search_text.MATCH_END,
        highlight_all=True,
    )
    return (
        queryset.alias(found=vector)
        .annotate(rank=SearchRank(vector, query))
        .filter(found=query)
        .annotate(headline=headline)
        .order_by("-rank", *queryset.model._meta.ordering)
    )


def _sqlite_matches(queryset, field, terms):
    for word in terms.words:
        queryset = queryset.filter(**{f"{field}__icontains": word})
    return queryset


def _matches(queryset, field, terms):
    """Return the rows whose ``field`` holds every word of ``terms``, best first.

    PostgreSQL searches its full-text index of words (stemmed, so "outages"
    finds "outage") and ranks; elsewhere every word must occur as typed.
    """
    if connection.vendor == "postgresql":
        return _postgresql_matches(queryset, field, terms)
    return _sqlite_matches(queryset, field, terms)


def _step_matches(queryset, terms):
    """Return the steps of ``queryset`` whose text holds ``terms``, best first.

    On PostgreSQL each step's words are stored beside it, as ``_matches``
    makes them, under a GIN index (migration ``web.0007``): the index finds
    the steps and only those returned are marked.
    """
    if connection.vendor != "postgresql":
        return _sqlite_matches(queryset, "text", terms)
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    words = RawSQL(f"{table}.words", [], output_field=SearchVectorField())
    return _postgresql_matches(queryset, "text", terms, vector=words)


def _snippet(row, text, terms):
    marked = getattr(row, "headline", None)
    if marked is not None:
        return search_text.marked_segments(marked, text)
    return search_text.highlight(text, terms.words)


def _found(field, label, segments):
    """Return why a result was found: the field, its name and matched text."""
    return {"field": field, "label": label, "text": segments}


def _agent_named(organization, terms):
    """Return a filter for the recordings whose agent's name holds every word.

    Accents do not count: "Tomas" finds "Tomás". PostgreSQL drops them from
    both sides; the embedded database cannot, so the names are read and
    compared here.
    """
    recordings = recording_list(organization=organization)
    if connection.vendor == "postgresql":
        named = recordings.annotate(agent_folded=_unaccent("agent"))
        for word in terms.words:
            named = named.filter(agent_folded__icontains=_folded_word(word))
        return Q(pk__in=named.values("pk"))
    words = [search_text.fold(word) for word in terms.words]
    named = [
        pk
        for pk, agent in recordings.exclude(agent="").values_list("pk", "agent")
        if all(word in search_text.fold(agent) for word in words)
    ]
    return Q(pk__in=named)


def _unaccent(expression):
    return Func(expression, function="unaccent", output_field=TextField())


def _folded_word(word):
    """Return ``word`` as the database compares it: unaccented on PostgreSQL."""
    if connection.vendor == "postgresql":
        return _unaccent(Value(word))
    return word


def _recordings_by_agent_or_ticket(organization, terms):
    """Return the recordings whose agent is named, or that show a ticket named.

    The agent's name must hold every word. A ticket number is found in the
    titles and paths of the recorded pages, where ITSM tools show it; each
    recording carries the ``ticket_page`` that shows it first.
    """
    found = _agent_named(organization, terms)
    recordings = recording_list(organization=organization)
    shown = Q()
    for number in search_text.ticket_numbers(terms):
        shown |= Q(data__title__icontains=number) | Q(data__path__icontains=number)
    if shown:
        pages = (
            Event.objects.for_organization(organization)
            .filter(shown, recording=OuterRef("pk"))
            .order_by("seq")
        )
        recordings = recordings.annotate(ticket_page=Subquery(pages.values("data")[:1]))
        found |= Q(ticket_page__isnull=False)
    return recordings.filter(found)


def _recording_reason(recording, terms):
    agent = recording.agent
    words = terms.words
    if agent and all(search_text.fold(w) in search_text.fold(agent) for w in words):
        return _found("agent", _("Agent"), search_text.highlight(agent, words))
    page = getattr(recording, "ticket_page", None) or {}
    numbers = tuple(number.casefold() for number in search_text.ticket_numbers(terms))
    for key, label in (("title", _("Page title")), ("path", _("Page path"))):
        text = str(page.get(key) or "")
        if any(number in text.casefold() for number in numbers):
            return _found(f"page_{key}", label, search_text.excerpt(text, numbers))
    return None


def _found_recordings(organization, terms):
    by_title = _matches(recording_list(organization=organization), "title", terms)
    found = {}
    for recording in by_title[:SEARCH_LIMIT]:
        found[recording.pk] = {
            "recording": recording,
            "title": _snippet(recording, recording.title, terms),
            "reason": None,
        }
    for recording in _recordings_by_agent_or_ticket(organization, terms)[:SEARCH_LIMIT]:
        found.setdefault(
            recording.pk,
            {
                "recording": recording,
                "title": search_text.highlight(recording.title, terms.words),
                "reason": _recording_reason(recording, terms),
            },
        )
    for step in _recorded_steps(organization, terms)[:SEARCH_LIMIT]:
        label = _("Step %(number)s") % {"number": step.number}
        found.setdefault(
            step.recording_id,
            {
                "recording": step.recording,
                "title": search_text.highlight(step.recording.title, terms.words),
                "reason": _found("step", label, _snippet(step, step.text, terms)),
            },
        )
    return list(found.values())[:SEARCH_LIMIT]


def _recorded_steps(organization, terms):
    """Return the recorded steps that match, best first, with their recording."""
    recordings = recording_list(organization=organization).values("pk")
    steps = SearchRecordedStep.objects.for_organization(organization)
    steps = steps.filter(recording__in=recordings)
    return _step_matches(steps.select_related("recording__created_by"), terms)


def _found_workflows(organization, terms, recordings):
    """Return the workflows titled so, then those a found recording is a run of."""
    workflows = Workflow.objects.for_organization(organization)
    found = {}
    for workflow in _matches(workflows, "title", terms)[:SEARCH_LIMIT]:
        found[workflow.pk] = {
            "title": _snippet(workflow, workflow.title, terms),
            "url": workflow.get_absolute_url(),
            "reason": None,
        }
    reasons = {row["recording"].pk: row for row in recordings}
    runs = (
        Run.objects.for_organization(organization)
        .filter(recording__in=list(reasons))
        .select_related("workflow")
        .order_by("workflow__title", "workflow_id")
    )
    for run in runs:
        row = reasons[run.recording_id]
        title = row["recording"].title or _("Untitled recording")
        found.setdefault(
            run.workflow_id,
            {
                "title": search_text.highlight(run.workflow.title, terms.words),
                "url": run.workflow.get_absolute_url(),
                "reason": row["reason"],
                "recording": title,
            },
        )
    return list(found.values())[:SEARCH_LIMIT]


def _found_steps(organization, terms):
    steps = SearchStep.objects.for_organization(organization)
    steps = _step_matches(steps.select_related("workflow"), terms)
    return [
        {
            "text": _snippet(step, step.text, terms),
            "number": step.number,
            "workflow_title": step.workflow.title,
            "url": f"{step.workflow.get_absolute_url()}#step-{step.number}",
        }
        for step in steps[:SEARCH_LIMIT]
    ]


INCIDENT_FIELDS = {
    "assignment_group": _("Assignment group"),
    "category": _("Category"),
    "subcategory": _("Subcategory"),
    "symptom": _("Symptom"),
    "cmdb_ci": _("Configuration item"),
}


def _incident_reason(incident, terms, numbers):
    if incident.number.casefold() in numbers:
        number = [search_text.Segment(incident.number, True)]
        return _found("number", _("Number"), number)
    for field, label in INCIDENT_FIELDS.items():
        value = getattr(incident, field)
        if all(search_text.fold(w) in search_text.fold(value) for w in terms.words):
            return _found(field, label, search_text.highlight(value, terms.words))
    return None


def _found_incidents(organization, terms):
    """Return the imported incidents numbered so, or whose fields hold every word.

    A number matches whole, in any case; the words must all be in one of
    ``INCIDENT_FIELDS``.
    """
    numbers = {part.strip("\"'()").casefold() for part in terms.text.split()} - {""}
    found = Q()
    for number in numbers:
        found |= Q(number__iexact=number)
    incidents = incident_list(organization=organization)
    fields = {field: field for field in INCIDENT_FIELDS}
    if connection.vendor == "postgresql":
        fields = {field: f"{field}_folded" for field in INCIDENT_FIELDS}
        incidents = incidents.annotate(
            **{folded: _unaccent(field) for field, folded in fields.items()}
        )
    for name in fields.values():
        in_field = Q()
        for word in terms.words:
            in_field &= Q(**{f"{name}__icontains": _folded_word(word)})
        found |= in_field
    incidents = incidents.filter(found)
    return [
        {
            "number": incident.number,
            "state": incident.state,
            "reason": _incident_reason(incident, terms, numbers),
        }
        for incident in incidents[:SEARCH_LIMIT]
    ]


def search(*, organization, terms):
    """Return the organization's workflows, SOP steps, recordings and incidents.

    ``terms`` come from ``apps.web.search.search_terms``. Recordings match on
    their title, their agent's name or a ticket number on their pages;
    workflows on their title or any of their runs' recordings so matched;
    steps on their text in the workflow's current SOP version; imported
    incidents on their number or their fields. Each result found by anything
    but what it shows says why, in its ``reason``.
    """
    recordings = _found_recordings(organization, terms)
    found = {
        "workflows": _found_workflows(organization, terms, recordings),
        "steps": _found_steps(organization, terms),
        "recordings": recordings,
        "incidents": _found_incidents(organization, terms),
    }
    found["total"] = sum(len(rows) for rows in found.values())
    return found


MAX_EVENTS_SHOWN = 500


def _event_rows(events):
    start = events[0].ts if events else 0
    return [
        {
            "seq": event.seq,
            "at": format_duration(event.ts - start),
            "type": event.type.value.replace("_", " "),
            "system": event.system or event.origin,
            "what": event.label or event.name or event.title or event.note,
            "value": event.value,
        }
        for event in events
    ]


def recording_overview(*, organization, recording_id):
    """Return a recording with its captured events, built steps and workflow."""
    recording = recording_get(organization=organization, recording_id=recording_id)
    events = recording_events(recording=recording)
    steps, _skipped = phased_steps(
        events,
        rules=system_rules(organization=organization),
        privacy=recording.privacy,
    )
    run = run_for_recording(organization=organization, recording=recording)
    workflow = run.workflow if run else None
    numbers = step_numbers(step.kind for step in steps)
    return {
        "recording": recording,
        "events": _event_rows(events[:MAX_EVENTS_SHOWN]),
        "events_hidden": max(0, len(events) - MAX_EVENTS_SHOWN),
        "steps": steps,
        # Numbered as the SOP numbers them: a wait is shown, without a number.
        "numbered_steps": list(zip(numbers, steps, strict=True)),
        "step_count": sum(number is not None for number in numbers),
        "wait_count": numbers.count(None),
        "unrecognised_hosts": unrecognised_hosts(step.system for step in steps),
        "workflow": workflow,
        "workflow_busy": workflow is not None and workflow.state in BUSY_STATES,
        "missing": recording_missing(recording=recording),
        "workflows": list(workflow_list(organization=organization)[:50]),
        "quota_full": quota_refusal(organization=organization, recording=recording),
    }
