from collections import defaultdict
from datetime import UTC, datetime, timedelta

import orjson
from django.db.models import F, Max, Prefetch

from apps.core.selectors import get_scoped_or_404

from . import history
from .breakdown import DIMENSIONS, breakdown, priority_key
from .exports import EPOCH
from .models import Incident, IncidentImport, IncidentUpdate
from .report import Report, build_report


def _ms(moment):
    return None if moment is None else round(moment.timestamp() * 1000)


# The span a datetime covers, in milliseconds since the epoch.
EARLIEST_MS = _ms(datetime.min.replace(tzinfo=UTC))
LATEST_MS = _ms(datetime.max.replace(microsecond=0, tzinfo=UTC))


def incident_list(*, organization):
    return Incident.objects.for_organization(organization).order_by("number")


# The orders the history's incident list offers, each ending on the number so
# that ties come out the same every time; unresolved incidents sort last.
INCIDENT_ORDERS = {
    "": ("number",),
    "opened": ("opened_at", "number"),
    "-opened": ("-opened_at", "number"),
    "resolution": (F("resolution_ms").asc(nulls_last=True), "number"),
    "-resolution": (F("resolution_ms").desc(nulls_last=True), "number"),
    "handoffs": ("reassignments", "number"),
    "-handoffs": ("-reassignments", "number"),
}
FILTER_FIELDS = ("state", "priority", "assignment_group", "category", "assigned_to")


def _choice_key(name):
    if name == "priority":
        return priority_key
    return lambda value: (history.natural_key(value), value)


def incident_filter_choices(*, organization):
    """Return the values each of ``FILTER_FIELDS`` holds, in list order.

    Priorities go by rank, other values by name with numbers read as numbers:
    "Group 2" before "Group 10".
    """
    incidents = incident_list(organization=organization)
    choices = {}
    for name in FILTER_FIELDS:
        values = incidents.exclude(**{name: ""}).values_list(name, flat=True)
        choices[name] = sorted(set(values), key=_choice_key(name))
    return choices


def incident_search(*, organization, filters):
    """Return the incidents that match ``filters``, in their chosen order.

    ``filters`` is ``IncidentFilterForm.cleaned_data``; an empty value
    filters nothing.
    """
    incidents = incident_list(organization=organization)
    for name in FILTER_FIELDS:
        if filters.get(name):
            incidents = incidents.filter(**{name: filters[name]})
    if filters.get("sla"):
        incidents = incidents.filter(made_sla=filters["sla"] == "made")
    if filters.get("opened_from"):
        incidents = incidents.filter(opened_at__date__gte=filters["opened_from"])
    if filters.get("opened_to"):
        incidents = incidents.filter(opened_at__date__lte=filters["opened_to"])
    return incidents.order_by(*INCIDENT_ORDERS[filters.get("sort") or ""])


def incident_get(*, organization, number):
    return get_scoped_or_404(Incident, organization=organization, number=number)


def _fields(incident):
    return {
        "category": incident.category,
        "subcategory": incident.subcategory,
        "symptom": incident.symptom,
        "cmdb_ci": incident.cmdb_ci,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "contact_type": incident.contact_type,
    }


def incident_updates(incident, rows):
    """Return the stored updates of ``incident`` as ``history.Update`` values."""
    fields = _fields(incident)
    return [
        history.Update(
            line=row.sequence,
            number=incident.number,
            state=row.state,
            updated_ms=_ms(row.updated_at),
            updated_by=row.updated_by,
            assignment_group=row.assignment_group,
            assigned_to=row.assigned_to,
            priority=row.priority,
            made_sla=row.made_sla,
            reassignment_count=row.reassignment_count,
            mod_count=row.mod_count,
            opened_ms=_ms(incident.opened_at),
            resolved_ms=_ms(incident.resolved_at),
            closed_ms=_ms(incident.closed_at),
            fields=fields,
        )
        for row in rows
    ]


def _with_updates(organization):
    updates = IncidentUpdate.objects.for_organization(organization).order_by("sequence")
    return incident_list(organization=organization).prefetch_related(
        Prefetch("updates", queryset=updates)
    )


def incident_traces(*, organization):
    """Return one ``Trace`` per stored incident of ``organization``."""
    traces = []
    for incident in _with_updates(organization):
        rows = list(incident.updates.all())
        if rows:
            traces.append(history.incident_trace(incident_updates(incident, rows)))
    return traces


def incident_report(*, organization):
    return build_report(incident_traces(organization=organization), imported=True)


def incident_summary(*, organization):
    """Return counts, SLA and resolution time, whole and split by field."""
    incidents = list(
        incident_list(organization=organization).values(
            "state", "reassignments", "made_sla", "resolution_ms", *DIMENSIONS
        )
    )
    split = breakdown(incidents)
    return {
        **split.pop("overall"),
        "open": sum(1 for i in incidents if i["state"] not in history.DONE_STATES),
        "reassignments": sum(i["reassignments"] for i in incidents),
        "breakdown": split,
    }


SUGGEST_FIELDS = tuple(history.SIMILARITY_WEIGHTS)
CANDIDATE_FIELDS = (
    "number",
    *SUGGEST_FIELDS,
    "priority",
    "assignment_group",
    "resolution_ms",
    "made_sla",
)


def incident_suggestions(*, organization, target):
    """Return suggested priority and group for ``target`` from past incidents.

    ``target`` is a mapping of category, subcategory, symptom and cmdb_ci
    (and ``number`` to leave an incident out of its own neighbours). Only
    resolved and closed incidents of ``organization`` are candidates.
    """
    candidates = (
        Incident.objects.for_organization(organization)
        .filter(state__in=history.DONE_STATES)
        .order_by("number")
        .values(*CANDIDATE_FIELDS)
    )
    return history.suggest(target, candidates)


def incident_suggest_choices(*, organization):
    """Return the values each suggestion field takes in ``organization``'s incidents.

    Most frequent first, as ``history.known_values`` orders them.
    """
    rows = Incident.objects.for_organization(organization).values(*SUGGEST_FIELDS)
    return history.known_values(rows, SUGGEST_FIELDS)


def incident_update_gap(*, organization):
    """Return the median time between consecutive updates of an incident."""
    times = defaultdict(list)
    for incident_id, updated_at in IncidentUpdate.objects.for_organization(
        organization
    ).values_list("incident_id", "updated_at"):
        times[incident_id].append(_ms(updated_at))
    return history.update_gap_median(times.values())


def incident_history_as_of(*, organization):
    """Return when the imported history ends: its latest update, or ``None``.

    Silence is measured up to there, not up to today: an export read a year
    after it was taken would otherwise show every open incident as stalled
    for a year.
    """
    latest = Incident.objects.for_organization(organization).aggregate(
        latest=Max("last_update_at")
    )["latest"]
    return latest


def incident_history_now_ms(*, organization, now_ms):
    """Return ``now_ms``, or the history's last update when that is earlier."""
    as_of = incident_history_as_of(organization=organization)
    if as_of is None:
        return now_ms
    return min(now_ms, _ms(as_of))


def _open_incidents(organization):
    return incident_list(organization=organization).exclude(
        state__in=history.DONE_STATES
    )


def incident_stalled_count(*, organization, typical_gap_ms, now_ms):
    """Return how many incidents ``incident_stalled`` lists, or ``None``.

    Counted in the database: the dashboard needs the number, not the rows.
    """
    if not typical_gap_ms:
        return None
    cutoff_ms = now_ms - history.STALL_FACTOR * typical_gap_ms
    # Updates centuries apart, stored before the import refused such dates,
    # put the cutoff before any moment a datetime holds: none is older.
    if cutoff_ms < EARLIEST_MS:
        return 0
    cutoff = EPOCH + timedelta(milliseconds=min(cutoff_ms, LATEST_MS))
    return _open_incidents(organization).filter(last_update_at__lte=cutoff).count()


def incident_stalled(*, organization, typical_gap_ms, now_ms):
    """Return the open incidents silent for long against ``typical_gap_ms``."""
    open_rows = [
        {"number": i.number, "last_update_ms": _ms(i.last_update_at), "state": i.state}
        for i in _open_incidents(organization)
    ]
    return history.stalled_incidents(
        open_rows, typical_gap_ms=typical_gap_ms, now_ms=now_ms
    )


def incident_import_latest(*, organization):
    """Return the newest import, its stored report left unread."""
    return (
        IncidentImport.objects.for_organization(organization)
        .defer("report", "report_html")
        .first()
    )


def incident_import_reported(*, organization, with_report=False):
    """Return the newest import whose report is stored, or None.

    The report's JSON is left unread unless ``with_report``: on a large
    history it runs to hundreds of megabytes, and the page needs only the
    rendered report.
    """
    imports = IncidentImport.objects.for_organization(organization).filter(
        state=IncidentImport.State.READY
    )
    if not with_report:
        imports = imports.defer("report")
    return imports.first()


def stored_report(incident_import):
    """Return the ``Report`` stored on ``incident_import``."""
    return Report(**orjson.loads(incident_import.report))


def similarity_fields(incident):
    return {
        "category": incident.category,
        "subcategory": incident.subcategory,
        "symptom": incident.symptom,
        "cmdb_ci": incident.cmdb_ci,
    }
