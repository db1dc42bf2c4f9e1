"""Reads behind the web pages that are not any one app's data."""

import dataclasses
import functools
import operator
import time

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Plan
from apps.accounts.selectors import usage_current
from apps.recordings.models import Event, Recording, RecordingStatus
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
from apps.workflows.selectors import (
    recording_generate_refusal,
    run_for_recording,
    run_summaries,
    system_rules,
    workflow_list,
)
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


def recordings_newest_first(*, organization):
    """Return the organization's recordings, the most recently recorded first;
    an undated one by its upload.

    Recordings recorded at the same moment come by upload, newest first. The
    id, which the client chose at random, only settles a tie of both.
    """
    recorded = Coalesce("started_at", "created_at")
    recordings = recording_list(organization=organization)
    return recordings.order_by(recorded.desc(), "-created_at", "-id")


def recent_recordings(*, organization, limit=8):
    return recordings_newest_first(organization=organization)[:limit]


def recording_count(*, organization):
    return recording_list(organization=organization).count()


# The recordings page's filters, by the value its form sends.
RECORDING_FILTERS = {
    "without_workflow": Q(workflow_run__isnull=True),
    "not_finished": Q(status=RecordingStatus.RECORDING),
}


def recording_table(*, organization, shown=""):
    """Return the recordings the recordings page lists, each with its run.

    ``shown`` names one of ``RECORDING_FILTERS``, or is empty for all. Each
    recording's run, if any, comes with its workflow and its steps counted
    (``run_summaries``), fetched for a whole page at once.
    """
    runs = run_summaries(organization=organization)
    recordings = recordings_newest_first(organization=organization).prefetch_related(
        Prefetch("workflow_run", queryset=runs)
    )
    if shown:
        recordings = recordings.filter(RECORDING_FILTERS[shown])
    return recordings


def recording_rows(*, recordings, usage):
    """Return each of ``recordings`` (from ``recording_table``) with its run
    and workflow, or the reason it has none given this month's ``usage``."""
    rows = []
    for recording in recordings:
        run = getattr(recording, "workflow_run", None)
        rows.append(
            {
                "recording": recording,
                "run": run,
                "workflow": run.workflow if run else None,
                "missing": None if run else _no_workflow_reason(recording, usage),
            }
        )
    return rows


def _no_workflow_reason(recording, usage):
    """Return why ``recording`` has no workflow, as the recording page says:
    a generate refusal's code, ``quota_used`` or ``not_generated``."""
    refusal = recording_generate_refusal(recording=recording)
    if refusal is not None:
        return refusal.code
    if usage["left"] == 0:
        return "quota_used"
    return "not_generated"


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
        "open": _summary_number(summary, "open"),
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
    if vector is None:
        vector = SearchVector(_unaccent(_plain_text(field)), config=SEARCH_CONFIG)
    return (
        queryset.alias(found=vector)
        .annotate(rank=SearchRank(vector, query))
        .filter(found=query)
        .annotate(headline=_headline(field, query))
        .order_by("-rank", *queryset.model._meta.ordering)
    )


def _headline(field, query):
    """Return ``field`` with each word ``query`` matches between our marks."""
    # Titles and steps are a line each: show all of it, not a fragment.
    return SearchHeadline(
        _unaccent(_plain_text(field)),
        query,
        config=SEARCH_CONFIG,
        start_sel=search_text.MATCH_START,
        stop_sel=search_text.MATCH_END,
        highlight_all=True,
    )


def _sqlite_matches(queryset, field, terms):
    """Return the rows whose ``field`` holds a query's alternative: each of
    its words as typed, and none of the words of a part negated."""
    branches = _query_branches(terms)
    if not branches:
        return queryset.none()
    holds = functools.partial(_text_holds, field)
    return queryset.filter(_across(branches, holds))


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


def _found(field, label, segments, url=None):
    """Return why a result was found: the field, its name and matched text,
    and where that field is shown when it is not on the result's own page."""
    return {"field": field, "label": label, "text": segments, "url": url}


def _agent_named(organization, words):
    """Return a filter for the recordings whose agent's name holds ``words``.

    Accents do not count: "Tomas" finds "Tomás". PostgreSQL drops them from
    both sides; the embedded database cannot, so the names are read and
    compared here.
    """
    recordings = recording_list(organization=organization)
    if connection.vendor == "postgresql":
        named = recordings.annotate(agent_folded=_unaccent("agent"))
        for word in words:
            named = named.filter(agent_folded__icontains=_folded_word(word))
        return Q(pk__in=named.values("pk"))
    words = [search_text.fold(word) for word in words]
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


def _recordings_by_agent_or_ticket(organization, branches):
    """Return the recordings whose agent is named, or that show a ticket named.

    The agent's name must hold every word of an alternative's parts but
    those negated. A ticket number, in a part not negated, is found in the
    titles and paths of the recorded pages, where ITSM tools show it; each
    recording carries the ``ticket_page`` that shows it first.
    """
    found = Q(pk__in=[])
    for words in _branch_words(branches):
        found |= _agent_named(organization, words)
    numbers = _numbers(_positive(branches))
    recordings = _with_ticket_page(
        organization, recording_list(organization=organization), numbers
    )
    if numbers:
        found |= Q(ticket_page__isnull=False)
    return recordings.filter(found)


def _branch_words(branches):
    """Return, per alternative with any, the words of its parts not negated."""
    found = (
        tuple(dict.fromkeys(w for f in branch if not f.negated for w in f.words))
        for branch in branches
    )
    return [words for words in found if words]


def _numbers(factors):
    found = dict.fromkeys(number for factor in factors for number in factor.numbers)
    return tuple(found)[: search_text.MAX_TICKET_NUMBERS]


def _pages_showing(organization, numbers):
    """Return the recorded pages whose title or path shows one of ``numbers``."""
    shown = Q()
    for number in numbers:
        shown |= Q(data__title__icontains=number) | Q(data__path__icontains=number)
    return Event.objects.for_organization(organization).filter(shown)


def _with_ticket_page(organization, recordings, numbers):
    """Return ``recordings`` each with the first page showing one of ``numbers``."""
    if not numbers:
        return recordings
    pages = _pages_showing(organization, numbers).filter(recording=OuterRef("pk"))
    first = pages.order_by("seq").values("data")[:1]
    return recordings.annotate(ticket_page=Subquery(first))


def _recording_reason(recording, branches):
    agent = recording.agent
    for words in _branch_words(branches):
        if agent and _names(agent, words):
            return _found("agent", _("Agent"), search_text.highlight(agent, words))
    return _page_reason(recording, _numbers(_positive(branches)))


def _names(agent, words):
    """Return whether ``agent`` holds every one of ``words``, accents aside."""
    return all(search_text.fold(word) in search_text.fold(agent) for word in words)


def _page_reason(recording, numbers):
    page = getattr(recording, "ticket_page", None) or {}
    numbers = tuple(number.casefold() for number in numbers)
    for key, label in (("title", _("Page title")), ("path", _("Page path"))):
        text = str(page.get(key) or "")
        if any(number in text.casefold() for number in numbers):
            return _found(f"page_{key}", label, search_text.excerpt(text, numbers))
    return None


def _found_recording(recording, title, reasons):
    return {
        "recording": recording,
        "title": title,
        "reasons": reasons,
        "agent_shown": any(reason["field"] == "agent" for reason in reasons),
    }


def _found_recordings(organization, terms, branches, left_out):
    """Return the recordings found in one field, best first.

    Each must also hold, between its fields, every part of an alternative of
    ``branches`` and none negated in it. The recorded steps of the
    recordings ``left_out`` (see ``_steps_left_out``) are not searched.
    """
    by_title = _matches(recording_list(organization=organization), "title", terms)
    found = {}
    for recording in by_title[:SEARCH_LIMIT]:
        title = _snippet(recording, recording.title, terms)
        found[recording.pk] = _found_recording(recording, title, [])
    by_agent = _recordings_by_agent_or_ticket(organization, branches)
    for recording in by_agent[:SEARCH_LIMIT]:
        title = search_text.highlight(recording.title, terms.words)
        reason = _recording_reason(recording, branches)
        found.setdefault(
            recording.pk, _found_recording(recording, title, [reason] if reason else [])
        )
    for step in _recorded_steps(organization, terms, left_out)[:SEARCH_LIMIT]:
        label = _("Step %(number)s") % {"number": step.number}
        reason = _found("step", label, _snippet(step, step.text, terms))
        title = search_text.highlight(step.recording.title, terms.words)
        found.setdefault(
            step.recording_id, _found_recording(step.recording, title, [reason])
        )
    holds = functools.partial(_recording_holds, organization, left_out=left_out)
    found = _holding(recording_list(organization=organization), found, branches, holds)
    return list(found.values())[:SEARCH_LIMIT]


def _with_recordings_spread(organization, found, spread, left_out):
    """Return ``found`` and after it the recordings holding the words of
    ``spread`` between their fields, newest first."""
    if not spread or len(found) >= SEARCH_LIMIT:
        return found
    exclude = [row["recording"].pk for row in found]
    return found + _recordings_spread(
        organization, spread, exclude=exclude, left_out=left_out
    )


def _holding(queryset, found, branches, holds):
    """Return ``found`` (by pk) but for the rows of ``queryset`` not holding
    the parts of an alternative of ``branches`` between their fields."""
    if not found or _one_part(branches):
        return found
    if not branches:
        return {}
    held = queryset.filter(pk__in=list(found)).filter(_across(branches, holds))
    kept = set(held.values_list("pk", flat=True))
    return {pk: row for pk, row in found.items() if pk in kept}


def _recorded_steps(organization, terms, left_out):
    """Return the recorded steps that match, best first, with their recording,
    but those of the recordings ``left_out``."""
    recordings = recording_list(organization=organization).values("pk")
    steps = SearchRecordedStep.objects.for_organization(organization)
    steps = steps.filter(recording__in=recordings)
    if left_out is not None:
        steps = steps.exclude(recording__in=left_out)
    return _step_matches(steps.select_related("recording__created_by"), terms)


def _found_workflow(workflow, title, reasons):
    return {"title": title, "url": workflow.get_absolute_url(), "reasons": reasons}


def _run(recording, title, workflow):
    """Return what names the run of ``recording``: its ``title``, marked;
    nothing where that is the title of its ``workflow``, shown already."""
    if not recording.title:
        title = [search_text.Segment(str(_("Untitled recording")), False)]
    elif _same_title(recording.title, workflow.title):
        title = []
    return {"run": title}


def _same_title(one, other):
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _step_url(workflow_url, number):
    """Return the address of step ``number`` in the SOP at ``workflow_url``."""
    return f"{workflow_url}#step-{number}"


def _found_workflows(organization, terms, recordings, branches, spread):
    """Return the workflows titled so, then those one of ``recordings``
    (found in one field) is a run of, then those holding the words of
    ``spread`` between their fields: their own first, their runs' for the
    rest.

    As with recordings, one of the first two must hold, between its fields,
    an alternative of ``branches``.
    """
    workflows = Workflow.objects.for_organization(organization)
    found = {}
    for workflow in _matches(workflows, "title", terms)[:SEARCH_LIMIT]:
        title = _snippet(workflow, workflow.title, terms)
        found[workflow.pk] = _found_workflow(workflow, title, [])
    rows = {row["recording"].pk: row for row in recordings}
    runs = (
        Run.objects.for_organization(organization)
        .filter(recording__in=list(rows), workflow__in=workflows)
        .select_related("workflow")
        .order_by("workflow__title", "workflow_id")
    )
    for run in runs:
        row = rows[run.recording_id]
        title = search_text.highlight(run.workflow.title, terms.words)
        # A run found by its title alone is named unless the workflow's own
        # title is the same, and shows what matched already.
        named = _run(row["recording"], row["title"], run.workflow)
        reasons = [named, *row["reasons"]] if named["run"] or row["reasons"] else []
        found.setdefault(run.workflow_id, _found_workflow(run.workflow, title, reasons))
    holds = functools.partial(_workflow_holds, organization)
    found = _holding(workflows, found, branches, holds)
    if spread and len(found) < SEARCH_LIMIT:
        for workflow, title, reasons in _workflows_spread(
            organization, spread, exclude=list(found)
        ):
            found[workflow.pk] = _found_workflow(workflow, title, reasons)
    return list(found.values())[:SEARCH_LIMIT]


# A query's words between the fields of one workflow or recording: each
# factor (a word, a quoted phrase, a negated part) is looked for in every
# field on its own, through the same indexes as a whole query.


class _Matches(Func):
    """Whether a text search vector matches a query: ``vector @@ query``."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _tsquery(query):
    return Cast(Value(query), SearchQueryField())


def _factor_sql(factor):
    """Return the SQL and parameters of the query ``factor`` stands for.

    A query of one part is not resolved (see ``_query_branches``): its part
    is read here as the whole query is.
    """
    if factor.query:
        return "CAST(%s AS tsquery)", [factor.query]
    return "websearch_to_tsquery(%s::regconfig, unaccent(%s))", [
        SEARCH_CONFIG,
        factor.text,
    ]


def _factor_tsquery(factor):
    return RawSQL(*_factor_sql(factor), output_field=SearchQueryField())


def _query_branches(terms):
    """Return the alternatives of ``terms``, each a tuple of its factors.

    On PostgreSQL each factor carries the query PostgreSQL makes of it, and
    one without a searchable word ("the") is left out, as it is of the whole
    query; on the embedded database one without a word is.
    """
    branches = search_text.query_branches(terms.text)
    if connection.vendor == "postgresql":
        # One part is looked for only as the whole query is: unresolved.
        return _resolved(branches) if branches and not _one_part(branches) else branches
    return _with_words(branches)


def _with_words(branches):
    """Return ``branches`` without their factors holding no word, nor the
    alternatives left with none."""
    kept = (tuple(factor for factor in branch if factor.words) for branch in branches)
    return tuple(branch for branch in kept if branch)


def _one_part(branches):
    """Return whether ``branches`` are one part, not negated: what holds it
    in one field holds the whole query."""
    return len(branches) == 1 and len(branches[0]) == 1 and not branches[0][0].negated


def _spread_branches(branches):
    """Return ``branches`` to look for between fields: none when no
    alternative has two factors, as a field holding the only one is found
    already, or past ``MAX_FACTORS``."""
    return branches if _spread(branches) else ()


def _spread(branches):
    longest = max(map(len, branches), default=0)
    return longest > 1 and sum(map(len, branches)) <= search_text.MAX_FACTORS


def _resolved(branches):
    """Return ``branches`` with each factor's query, the empty ones left out."""
    texts = [factor.text for branch in branches for factor in branch]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, unaccent(part))::text"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS parts(part, position)"
            " ORDER BY position",
            [SEARCH_CONFIG, texts],
        )
        queries = iter([query for (query,) in cursor.fetchall()])
    resolved = []
    for branch in branches:
        factors = {}
        for factor in branch:
            query = next(queries)
            if query:
                key = (query, factor.negated)
                factors.setdefault(key, dataclasses.replace(factor, query=query))
        if factors:
            resolved.append(tuple(factors.values()))
    return tuple(resolved)


def _key(factor):
    return factor.query or factor.text


def _positive(branches):
    """Return the factors an alternative needs held, once each."""
    factors = {_key(f): f for branch in branches for f in branch if not f.negated}
    return tuple(factors.values())


def _every(conditions):
    return functools.reduce(operator.and_, conditions, Q())


def _across(branches, holds):
    """Return a filter for what holds every factor of one alternative, each in
    a field of its own choosing, and a negated factor in none."""
    alternatives = (
        _every(~holds(f) if f.negated else holds(f) for f in branch)
        for branch in branches
    )
    return functools.reduce(operator.or_, alternatives)


def _text_holds(field, factor):
    """Return a filter for the rows whose text ``field`` holds ``factor``."""
    if connection.vendor != "postgresql":
        return _every(Q(**{f"{field}__icontains": word}) for word in factor.words)
    vector = SearchVector(_unaccent(_plain_text(field)), config=SEARCH_CONFIG)
    return Q(_Matches(vector, _factor_tsquery(factor)))


def _words(model):
    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(f"{table}.words", [], output_field=SearchVectorField())


def _step_holds(model, factor):
    """Return a filter for the search rows of ``model`` holding ``factor``."""
    if connection.vendor != "postgresql":
        return _text_holds("text", factor)
    return Q(_Matches(_words(model), _factor_tsquery(factor)))


def _held_by_steps_or(model, key, organization, factor, others, left_out=None):
    """Return a filter for the rows whose pk is the ``key`` of one of the
    organization's ``model`` rows holding ``factor``, or is in ``others``;
    the rows of ``model`` whose ``key`` is in ``left_out`` do not count.

    On PostgreSQL one subquery, so that the planner joins it and finds the
    steps through their GIN index: one of several alternatives joined by OR
    is planned as if half its rows were read, where reading the whole table
    looks cheaper. It is written out, as the ORM would rename the table
    ``_words`` names.
    """
    if connection.vendor != "postgresql":
        steps = model.objects.for_organization(organization)
        steps = steps.filter(_step_holds(model, factor))
        if left_out is not None:
            steps = steps.exclude(**{f"{key}__in": left_out})
        return Q(pk__in=steps.values(key)) | Q(pk__in=others)
    query, query_params = _factor_sql(factor)
    sql = (
        f"SELECT {key} FROM {model._meta.db_table}"
        f" WHERE organization_id = %s AND words @@ {query}"
    )
    params = [organization.pk, *query_params]
    if left_out is not None:
        left_out_sql, left_out_params = left_out.query.sql_with_params()
        sql += f" AND {key} NOT IN ({left_out_sql})"
        params += left_out_params
    others_sql, others_params = others.query.sql_with_params()
    sql += f" UNION ALL {others_sql}"
    return Q(pk__in=RawSQL(sql, [*params, *others_params]))


def _recording_holds(organization, factor, left_out=None):
    """Return a filter for the recordings holding ``factor`` in their title,
    their agent's name, a recorded step or a page showing a ticket it names;
    the recorded steps of those ``left_out`` do not count."""
    held = _text_holds("title", factor)
    if factor.words:
        held |= _agent_named(organization, factor.words)
    if factor.numbers:
        pages = _pages_showing(organization, factor.numbers)
        held |= Q(pk__in=pages.values("recording_id"))
    others = recording_list(organization=organization).filter(held).values("pk")
    return _held_by_steps_or(
        SearchRecordedStep,
        "recording_id",
        organization,
        factor,
        others.order_by(),
        left_out=left_out,
    )


def _workflow_holds(organization, factor):
    """Return a filter for the workflows holding ``factor`` in their title, a
    step of their SOP or a field of one of their runs' recordings."""
    recordings = recording_list(organization=organization).filter(
        _recording_holds(organization, factor)
    )
    runs = Run.objects.for_organization(organization).filter(recording__in=recordings)
    others = _titled(organization, factor).union(
        runs.values("workflow_id").order_by(), all=True
    )
    return _held_by_steps_or(SearchStep, "workflow_id", organization, factor, others)


def _workflow_holds_itself(organization, factor):
    """Return a filter for the workflows holding ``factor`` in their own
    fields: their title or a step of their current SOP."""
    titled = _titled(organization, factor)
    return _held_by_steps_or(SearchStep, "workflow_id", organization, factor, titled)


def _titled(organization, factor):
    titled = Workflow.objects.for_organization(organization)
    return titled.filter(_text_holds("title", factor)).values("pk").order_by()


def _steps_left_out(organization, branches):
    """Return the recordings (ids) whose recorded steps are not searched for
    ``branches``: those of the runs of a workflow that holds them by itself,
    between its title and the steps of its current SOP; None if no query.

    What the SOP shows is found there, once, however many runs recorded it;
    a run is found by its steps only for the words its workflow lacks.
    """
    if not branches:
        return None
    holds = functools.partial(_workflow_holds_itself, organization)
    workflows = Workflow.objects.for_organization(organization)
    workflows = workflows.filter(_across(branches, holds)).values("pk")
    runs = Run.objects.for_organization(organization).filter(workflow__in=workflows)
    return runs.values("recording_id").order_by()


def _with_held(queryset, positive, holds):
    """Return ``queryset`` with ``held_<n>``: whether a row holds factor n."""
    return queryset.annotate(
        **{
            f"held_{index}": ExpressionWrapper(holds(factor), BooleanField())
            for index, factor in enumerate(positive)
        }
    )


def _held(row, positive):
    get = row.get if isinstance(row, dict) else functools.partial(getattr, row)
    return {index for index in range(len(positive)) if get(f"held_{index}")}


def _marking(positive):
    """Return the terms to mark the ``positive`` factors with, and on
    PostgreSQL a query of any of them for ``_headline``."""
    words = tuple(dict.fromkeys(word for f in positive for word in f.words))
    terms = search_text.Terms(text="", words=words)
    if connection.vendor != "postgresql" or not positive:
        return terms, None
    return terms, _tsquery(" | ".join(f"( {f.query} )" for f in positive))


def _with_marked_title(queryset, positive):
    _terms, query = _marking(positive)
    if query is None:
        return queryset
    return queryset.annotate(headline=_headline("title", query))


def _chosen(holders, branches, positive, *, preferred=0):
    """Return ``(what, covered)`` for the fewest holders that hold between
    them every factor of one alternative, the first holders preferred.

    ``holders`` are ``(held, what)`` pairs: the indexes in ``positive`` of
    the factors a field holds, and what stands for that field. Of them, the
    first ``preferred`` are chosen while any holds a factor not yet covered;
    the others only for the factors those leave.
    """
    index = {_key(factor): i for i, factor in enumerate(positive)}
    alternatives = [
        {index[_key(f)] for f in branch if not f.negated} for branch in branches
    ]
    everything = set().union(*(held for held, _what in holders))
    wanted = next((a for a in alternatives if a <= everything), alternatives[0])
    chosen = []
    while wanted & everything:
        first = [holder for holder in holders[:preferred] if holder[0] & wanted]
        held, what = max(first or holders, key=lambda holder: len(holder[0] & wanted))
        chosen.append((what, held & wanted))
        wanted = wanted - held
    return chosen


def _holding_steps(model, key, organization, owners, positive, left_out=None):
    """Return ``{owner: [(held, (owner, number))]}`` for the steps of
    ``owners`` holding a factor of ``positive``, best first; none of the
    owners ``left_out``.

    PostgreSQL gives the best ranked step per owner and set of factors held;
    the embedded database gives every one.
    """
    if not owners or not positive:
        return {}
    rows = model.objects.for_organization(organization).filter(
        _holding_any(model, positive), **{f"{key}__in": owners}
    )
    if left_out is not None:
        rows = rows.exclude(**{f"{key}__in": left_out})
    rows = _with_held(rows, positive, functools.partial(_step_holds, model))
    held = [f"held_{index}" for index in range(len(positive))]
    _terms, query = _marking(positive)
    if query is None:
        rows = rows.annotate(rank=Value(0.0)).order_by(key, "number")
    else:
        rows = rows.annotate(rank=SearchRank(_words(model), query))
        rows = rows.order_by(key, *held, "-rank", "number").distinct(key, *held)
    rows = sorted(rows.values(key, "number", "rank", *held), key=_best_first)
    found = {}
    for row in rows:
        step = (row[key], row["number"])
        found.setdefault(row[key], []).append((_held(row, positive), step))
    return found


def _holding_any(model, positive):
    return functools.reduce(operator.or_, (_step_holds(model, f) for f in positive))


def _best_first(row):
    return (-row["rank"], row["number"])


def _step_reasons(model, key, organization, chosen, positive, link=None):
    """Return ``chosen`` with each ``(owner, number)`` of a step replaced by
    the reason showing that step, marked, linked to ``link(owner, number)``
    if given; what else it holds is kept."""
    steps = {what for whats in chosen.values() for what in whats if _is_step(what)}
    marked = {}
    if steps:
        pairs = (Q(**{key: owner, "number": number}) for owner, number in steps)
        rows = model.objects.for_organization(organization)
        rows = rows.filter(functools.reduce(operator.or_, pairs))
        terms, query = _marking(positive)
        if query is not None:
            rows = rows.annotate(headline=_headline("text", query))
        for row in rows:
            step = (getattr(row, key), row.number)
            label = _("Step %(number)s") % {"number": row.number}
            url = link(*step) if link else None
            marked[step] = _found("step", label, _snippet(row, row.text, terms), url)
    return {
        owner: [
            marked[what] if _is_step(what) else what
            for what in whats
            if not _is_step(what) or what in marked
        ]
        for owner, whats in chosen.items()
    }


def _is_step(what):
    return isinstance(what, tuple)


def _recordings_spread(organization, branches, *, exclude, left_out):
    """Return the recordings, but those in ``exclude``, holding the factors of
    ``branches`` between their fields, newest first, each saying where; the
    recorded steps of those ``left_out`` do not count."""
    positive = _positive(branches)
    holds = functools.partial(_recording_holds, organization, left_out=left_out)
    recordings = recording_list(organization=organization).exclude(pk__in=exclude)
    recordings = _explainable(
        organization, recordings.filter(_across(branches, holds)), positive
    )
    recordings = list(recordings[: SEARCH_LIMIT - len(exclude)])
    reasons = _recording_reasons(
        organization,
        recordings,
        {r.pk: branches for r in recordings},
        positive,
        left_out=left_out,
    )
    terms, _query = _marking(positive)
    return [
        _found_recording(r, _snippet(r, r.title, terms), reasons[r.pk])
        for r in recordings
    ]


def _explainable(organization, recordings, positive):
    """Return ``recordings`` with what ``_recording_reasons`` reads of each."""
    title = functools.partial(_text_holds, "title")
    recordings = _with_marked_title(_with_held(recordings, positive, title), positive)
    numbers = tuple(dict.fromkeys(n for factor in positive for n in factor.numbers))
    return _with_ticket_page(organization, recordings, numbers)


def _recording_reasons(organization, recordings, branches, positive, left_out=None):
    """Return ``{pk: reasons}``: where each of ``recordings`` (read through
    ``_explainable``) holds the factors of its alternatives, ``branches[pk]``;
    the recorded steps of those ``left_out`` do not count."""
    ids = [recording.pk for recording in recordings]
    steps = _holding_steps(
        SearchRecordedStep, "recording_id", organization, ids, positive, left_out
    )
    chosen = {}
    for recording in recordings:
        holders = _recording_holders(recording, positive, steps.get(recording.pk, []))
        picked = _chosen(holders, branches[recording.pk], positive)
        chosen[recording.pk] = [what for what, _covered in picked if what is not None]
    return _step_reasons(
        SearchRecordedStep, "recording_id", organization, chosen, positive
    )


def _recording_holders(recording, positive, steps):
    """Return the ``(held, what)`` of each field of ``recording``, best first:
    its title, its agent's name, the page showing a ticket, then ``steps``."""
    holders = [(_held(recording, positive), None)]
    agent = recording.agent
    named = {i for i, f in enumerate(positive) if f.words and _names(agent, f.words)}
    if agent and named:
        words = [word for i in sorted(named) for word in positive[i].words]
        reason = _found("agent", _("Agent"), search_text.highlight(agent, words))
        holders.append((named, reason))
    shown = {i for i, f in enumerate(positive) if _page_reason(recording, f.numbers)}
    if shown:
        numbers = [number for i in sorted(shown) for number in positive[i].numbers]
        holders.append((shown, _page_reason(recording, numbers)))
    return holders + steps


def _workflows_spread(organization, branches, *, exclude):
    """Return ``(workflow, title, reasons)`` for the workflows, but those in
    ``exclude``, holding the factors of ``branches`` between their fields."""
    positive = _positive(branches)
    holds = functools.partial(_workflow_holds, organization)
    title = functools.partial(_text_holds, "title")
    workflows = Workflow.objects.for_organization(organization).exclude(pk__in=exclude)
    workflows = _with_held(workflows.filter(_across(branches, holds)), positive, title)
    workflows = _with_marked_title(workflows, positive)
    workflows = list(workflows[: SEARCH_LIMIT - len(exclude)])
    reasons = _workflow_reasons(organization, workflows, branches, positive)
    terms, _query = _marking(positive)
    return [
        (workflow, _snippet(workflow, workflow.title, terms), reasons[workflow.pk])
        for workflow in workflows
    ]


def _workflow_reasons(organization, workflows, branches, positive):
    """Return ``{pk: reasons}``: where each workflow holds the factors, in
    its title and the steps of its SOP first (each step linked to), then
    in its runs' recordings, for the factors its own fields lack."""
    ids = [workflow.pk for workflow in workflows]
    steps = _holding_steps(SearchStep, "workflow_id", organization, ids, positive)
    runs = _runs_holding(organization, ids, positive)
    chosen, covered, run_of = {}, {}, {}
    for workflow in workflows:
        own = [(_held(workflow, positive), None), *steps.get(workflow.pk, [])]
        holders = [*own, *runs.get(workflow.pk, [])]
        picked = _chosen(holders, branches, positive, preferred=len(own))
        chosen[workflow.pk] = [what for what, _covered in picked if what is not None]
        picked = {what.pk: held for what, held in picked if _is_recording(what)}
        covered |= picked
        run_of |= dict.fromkeys(picked, workflow)
    urls = {workflow.pk: workflow.get_absolute_url() for workflow in workflows}
    chosen = _step_reasons(
        SearchStep,
        "workflow_id",
        organization,
        chosen,
        positive,
        link=lambda workflow, number: _step_url(urls[workflow], number),
    )
    recordings = recording_list(organization=organization).filter(pk__in=covered)
    recordings = list(_explainable(organization, recordings, positive))
    alternatives = {
        pk: (tuple(positive[i] for i in sorted(held)),) for pk, held in covered.items()
    }
    found = _recording_reasons(organization, recordings, alternatives, positive)
    terms, _query = _marking(positive)
    runs = {
        recording.pk: [
            _run(
                recording,
                _snippet(recording, recording.title, terms),
                run_of[recording.pk],
            ),
            *found[recording.pk],
        ]
        for recording in recordings
    }
    return {
        pk: [
            reason
            for what in whats
            for reason in (runs.get(what.pk, []) if _is_recording(what) else [what])
        ]
        for pk, whats in chosen.items()
    }


def _is_recording(what):
    return isinstance(what, Recording)


def _runs_holding(organization, workflows, positive):
    """Return ``{workflow id: [(held, recording)]}`` for the recordings of the
    runs of ``workflows``, each with the factors it holds in any field.

    PostgreSQL gives the newest recording per workflow and set of factors
    held, however many runs a workflow has; the embedded database every one.
    """
    if not workflows or not positive:
        return {}
    runs = Run.objects.for_organization(organization).filter(workflow__in=workflows)
    recordings = recording_list(organization=organization).filter(
        pk__in=runs.values("recording_id")
    )
    recordings = recordings.annotate(workflow_id=F("workflow_run__workflow_id"))
    holds = functools.partial(_recording_holds, organization)
    recordings = _with_held(recordings, positive, holds)
    if connection.vendor == "postgresql":
        held = [f"held_{index}" for index in range(len(positive))]
        order = ("workflow_id", *held, "-created_at", "-id")
        recordings = recordings.order_by(*order).distinct("workflow_id", *held)
        recordings = sorted(recordings, key=_made, reverse=True)
    found = {}
    for recording in recordings:
        held = _held(recording, positive)
        found.setdefault(recording.workflow_id, []).append((held, recording))
    return found


def _made(recording):
    return (recording.created_at, str(recording.pk))


def _found_steps(organization, terms):
    steps = SearchStep.objects.for_organization(organization)
    steps = _step_matches(steps.select_related("workflow"), terms)
    return [
        {
            "text": _snippet(step, step.text, terms),
            "number": step.number,
            "workflow_title": step.workflow.title,
            "url": _step_url(step.workflow.get_absolute_url(), step.number),
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


def _incident_number(factor):
    """Return the incident number ``factor`` would be, as typed."""
    return factor.text.strip("\"'()")


def _incident_holds(factor):
    """Return a filter for the incidents holding ``factor``: every one of its
    words in one of ``INCIDENT_FIELDS``, or the factor as their number.

    Both have an index (``web.0009``): the fields' trigrams and the number
    in capitals, so PostgreSQL can find the incidents through the factor
    fewest of them hold and check the other factors on those.
    """
    held = _incident_fields_holding(factor.words)
    number = _incident_number(factor)
    if number:
        held |= Q(number__iexact=number)
    return held


def _incident_fields_holding(words):
    """Return a filter for the incidents holding every one of ``words`` in one
    of ``INCIDENT_FIELDS``, accents aside on PostgreSQL.

    There the fields are read folded, a line each in the order of
    ``INCIDENT_FIELDS``, from the column migration ``web.0009`` keeps beside
    them: its trigram index finds the incidents holding every word somewhere.
    One word is on a line if it is anywhere, as no word holds a line break;
    only for more is each line looked at for them all.
    """
    if connection.vendor != "postgresql":
        return functools.reduce(
            operator.or_,
            (
                _every(Q(**{f"{field}__icontains": word}) for word in words)
                for field in INCIDENT_FIELDS
            ),
        )
    patterns = [_like_escaped(word) for word in words]
    anywhere = _every(_incident_line_holds(None, pattern) for pattern in patterns)
    if len(patterns) == 1:
        return anywhere
    lines = (
        _every(_incident_line_holds(line, pattern) for pattern in patterns)
        for line in range(1, len(INCIDENT_FIELDS) + 1)
    )
    return anywhere & functools.reduce(operator.or_, lines)


def _like_escaped(word):
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _incident_line_holds(line, pattern):
    """Return a filter for the incidents whose folded fields hold ``pattern``:
    on line ``line`` (from 1), or on any line when None.

    The pattern is folded by the same function as the fields, on a constant,
    so PostgreSQL folds it once and may look it up in the trigram index.
    """
    column = '"reports_incident"."web_search_fields"'
    if line is not None:
        column = f"split_part({column}, E'\\n', {line:d})"
    sql = f"{column} LIKE '%%' || web_search_folded(%s) || '%%'"
    return Q(RawSQL(sql, [pattern], output_field=BooleanField()))


def _incident_reasons(incident, branches, positive):
    """Return where ``incident`` holds the factors of one of ``branches``:
    the fewest of its number and fields that hold them all, marked."""
    values = {"number": incident.number}
    values |= {field: getattr(incident, field) for field in INCIDENT_FIELDS}
    factors = [
        (_incident_number(f).casefold(), [search_text.fold(w) for w in f.words])
        for f in positive
    ]
    holders = [
        (_incident_held(key, value, factors), key) for key, value in values.items()
    ]
    words = tuple(dict.fromkeys(word for f in positive for word in f.words))
    return [
        _incident_reason(key, values[key], words)
        for key, _covered in _chosen(holders, branches, positive)
    ]


def _incident_held(key, value, factors):
    """Return the indexes of the ``factors``, each its number and its words
    folded, that ``value`` holds: the number whole, a field every word."""
    if key == "number":
        number = value.casefold()
        return {i for i, (named, _words) in enumerate(factors) if named == number}
    folded = search_text.fold(value)
    return {i for i, (_named, words) in enumerate(factors) if _every_in(words, folded)}


def _every_in(words, text):
    return all(word in text for word in words)


def _incident_reason(key, value, words):
    if key == "number":
        return _found(key, _("Number"), [search_text.Segment(value, True)])
    return _found(key, INCIDENT_FIELDS[key], search_text.highlight(value, words))


def _found_incidents(organization, terms):
    """Return the imported incidents holding the query between their number
    and ``INCIDENT_FIELDS``, in order of number.

    Each factor of an alternative of the query (as ``query_branches`` reads
    it, those without a word left out) must be the incident's whole number,
    in any case, or have every one of its words in one field; a negated
    factor neither. A word may be part of a longer one and is not stemmed,
    unlike the rest of search's; case does not count, nor accents on
    PostgreSQL.
    """
    branches = _with_words(search_text.query_branches(terms.text))
    if not branches:
        return []
    incidents = incident_list(organization=organization)
    incidents = incidents.filter(_across(branches, _incident_holds))[:SEARCH_LIMIT]
    positive = _positive(branches)
    return [
        {
            "number": incident.number,
            "state": incident.state,
            "reasons": _incident_reasons(incident, branches, positive),
        }
        for incident in incidents
    ]


def search(*, organization, terms):
    """Return the organization's workflows, SOP steps, recordings and incidents.

    ``terms`` come from ``apps.web.search.search_terms``. Recordings match on
    their title, their agent's name, a ticket number on their pages or a
    recorded step; workflows on their title or any of their runs'
    recordings so matched; steps on their text in the workflow's current SOP
    version; imported incidents on their number or their fields. Recordings
    and workflows also match when each word lies in one of their fields,
    after those matched in one field; incidents always do. A run's recorded
    steps are not searched when its workflow holds the query by itself, in
    its title and SOP, where it is shown. Each result found by anything but
    what it shows says why, in its ``reasons``.
    """
    branches = _query_branches(terms)
    spread = _spread_branches(branches)
    # Only the words of parts not negated are marked.
    marked = dataclasses.replace(
        terms,
        words=tuple(dict.fromkeys(w for f in _positive(branches) for w in f.words)),
    )
    left_out = _steps_left_out(organization, branches)
    recordings = _found_recordings(organization, marked, branches, left_out)
    found = {
        "workflows": _found_workflows(
            organization, marked, recordings, branches, spread
        ),
        "steps": _found_steps(organization, marked),
        "recordings": _with_recordings_spread(
            organization, recordings, spread, left_out
        ),
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
