import csv
import io
import logging
from contextlib import contextmanager
from datetime import UTC, datetime
from http import HTTPStatus

from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import IntegerField, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organization
from apps.core.errors import ApplicationError
from apps.core.jobs import task_enqueue

from . import history, selectors
from .models import Incident, IncidentImport, IncidentUpdate
from .rendering import report_context
from .report import REPORT_VERSION, build_report

logger = logging.getLogger(__name__)

# How long a queued rebuild of a stale report keeps others from queueing one.
REFRESH_LOCK_SECONDS = 60 * 60
# How long an import waits for another import of its organization to end:
# well within the 30 seconds a web worker is given to answer.
IMPORT_LOCK_WAIT_SECONDS = 20


def _moment(ms):
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


# The field each column of the export is stored in, for what it may hold.
COLUMN_FIELDS = {
    "number": Incident._meta.get_field("number"),
    "incident_state": IncidentUpdate._meta.get_field("state"),
    "sys_updated_by": IncidentUpdate._meta.get_field("updated_by"),
    "assignment_group": IncidentUpdate._meta.get_field("assignment_group"),
    "assigned_to": IncidentUpdate._meta.get_field("assigned_to"),
    "priority": IncidentUpdate._meta.get_field("priority"),
    "reassignment_count": IncidentUpdate._meta.get_field("reassignment_count"),
    "sys_mod_count": IncidentUpdate._meta.get_field("mod_count"),
    **{
        column: Incident._meta.get_field(name)
        for name, column in history.FIELD_COLUMNS.items()
    },
}


def _column_limits():
    return history.ColumnLimits(
        lengths={
            column: field.max_length
            for column, field in COLUMN_FIELDS.items()
            if field.max_length is not None
        },
        ranges={
            column: connection.ops.integer_field_range(field.get_internal_type())
            for column, field in COLUMN_FIELDS.items()
            if isinstance(field, IntegerField)
        },
    )


def _read_updates(text):
    reader = csv.DictReader(io.StringIO(text))
    limits = _column_limits()
    try:
        history.check_columns(reader.fieldnames)
        # The header is line 1; DictReader's line_num is the last line read.
        return [
            history.parse_row(row, reader.line_num, limits=limits) for row in reader
        ]
    except history.HistoryError as error:
        raise ApplicationError(
            _("The incident export cannot be read: %(problem)s") % {"problem": error},
            code="incident_import_invalid",
            field=error.column,
            extra={"line": error.line},
        ) from error
    except csv.Error as error:
        raise ApplicationError(
            _("The incident export is not valid CSV: %(problem)s") % {"problem": error},
            code="incident_import_invalid",
        ) from error


def _latest_assignee(updates):
    """Return the last assignee named while the incident had its final group.

    An update naming nobody keeps the assignee before it, but a hand-off to
    another group leaves the earlier group's assignee behind.
    """
    group = updates[-1].assignment_group
    return next(
        (
            u.assigned_to
            for u in reversed(updates)
            if u.assigned_to and u.assignment_group == group
        ),
        "",
    )


def _incident_values(updates):
    measures = history.incident_measures(updates)
    last = updates[-1]
    return {
        "source": Incident.Source.IMPORT,
        "state": last.state,
        "opened_at": _moment(measures["opened_ms"]),
        "resolved_at": _moment(measures["resolved_ms"]),
        "closed_at": _moment(measures["closed_ms"]),
        "last_update_at": _moment(last.updated_ms),
        "category": last.fields["category"],
        "subcategory": last.fields["subcategory"],
        "symptom": last.fields["symptom"],
        "cmdb_ci": last.fields["cmdb_ci"],
        "impact": last.fields["impact"],
        "urgency": last.fields["urgency"],
        "priority": last.priority,
        "contact_type": last.fields["contact_type"],
        "assignment_group": last.assignment_group,
        "assigned_to": _latest_assignee(updates),
        "made_sla": measures["made_sla"],
        "reassignments": len(measures["handoffs"]),
        "resolution_ms": measures["resolution_ms"],
        "time_in_state": measures["time_in_state"],
        "handoffs": measures["handoffs"],
    }


UPDATED_FIELDS = [
    "source",
    "state",
    "opened_at",
    "resolved_at",
    "closed_at",
    "last_update_at",
    "category",
    "subcategory",
    "symptom",
    "cmdb_ci",
    "impact",
    "urgency",
    "priority",
    "contact_type",
    "assignment_group",
    "assigned_to",
    "made_sla",
    "reassignments",
    "resolution_ms",
    "time_in_state",
    "handoffs",
]


def _update_rows(organization, incident, updates):
    return [
        IncidentUpdate(
            organization=organization,
            incident=incident,
            sequence=sequence,
            updated_at=_moment(update.updated_ms),
            updated_by=update.updated_by,
            state=update.state,
            assignment_group=update.assignment_group,
            assigned_to=update.assigned_to,
            priority=update.priority,
            made_sla=update.made_sla,
            reassignment_count=update.reassignment_count,
            mod_count=update.mod_count,
        )
        for sequence, update in enumerate(updates)
    ]


def incidents_import(*, organization, text):
    """Store the incidents of an audit export; return (created, replaced, rows).

    Importing the same export again changes nothing: each incident in the
    file is matched by number and its updates are replaced as a whole.
    Imports of one organization take turns: one that starts while another
    runs waits for it, then imports over what it stored.
    """
    incidents_import_check_plan(organization=organization)
    grouped = history.group_updates(_read_updates(text))
    try:
        with transaction.atomic():
            _imports_lock(organization)
            created, replaced, rows = _incidents_store(organization, grouped)
    except OperationalError as error:
        raise _import_busy(organization, error) from error

    logger.info(
        "Imported %s incidents (%s new) from %s rows",
        created + replaced,
        created,
        rows,
        extra={"organization_id": organization.id},
    )
    return created, replaced, rows


def _import_busy(organization, error):
    # A lock waited on too long or a database gone away: nothing was stored,
    # and the same file can be sent again.
    logger.warning(
        "Importing incidents failed on the database: %s",
        error,
        exc_info=error,
        extra={"organization_id": organization.id},
    )
    return ApplicationError(
        _(
            "The incidents could not be imported now: the database is busy, "
            "maybe with another import. Nothing was imported; try again in "
            "a minute."
        ),
        code="incident_import_busy",
        status=HTTPStatus.SERVICE_UNAVAILABLE,
    )


def _imports_lock(organization):
    """Wait until no other import of ``organization`` runs, then hold it off.

    The lock is the organization's row, held to the end of the transaction.
    No key update: rows that refer to the organization can still be written
    meanwhile. SQLite has no row locks; there each write transaction takes
    the database's write lock as it begins, which serves the same end.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{IMPORT_LOCK_WAIT_SECONDS * 1000:.0f}ms"],
            )
    Organization.objects.select_for_update(no_key=True).only("pk").get(
        pk=organization.pk
    )


def _incidents_store(organization, grouped):
    """Store ``grouped`` over what ``organization`` holds; the import lock held.

    Each incident is written by one upsert on its number, in batches, rather
    than an update per field and incident; the updates of those already
    stored are replaced as a whole, as a file may now hold fewer. Other
    imports of the organization wait on the lock, so the incidents found
    here are the ones the upsert replaces.
    """
    existing = list(
        Incident.objects.for_organization(organization)
        .filter(number__in=list(grouped))
        .values_list("pk", flat=True)
    )
    IncidentUpdate.objects.for_organization(organization).filter(
        incident__in=existing
    ).delete()

    incidents = Incident.objects.bulk_create(
        [
            Incident(
                organization=organization, number=number, **_incident_values(updates)
            )
            for number, updates in grouped.items()
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["organization", "number"],
        update_fields=UPDATED_FIELDS,
    )
    rows = [
        row
        for incident in incidents
        for row in _update_rows(organization, incident, grouped[incident.number])
    ]
    IncidentUpdate.objects.bulk_create(rows, batch_size=2000)
    _import_record(organization, incidents=len(grouped), rows=len(rows))
    return len(grouped) - len(existing), len(existing), len(rows)


def incidents_import_check_plan(*, organization):
    """Refuse unless the organization's plan includes incident-history import."""
    if organization.plan.incident_history:
        return
    raise ApplicationError(
        _(
            "Incident-history import is not part of the %(plan)s plan. An owner "
            "can move %(organization)s to a plan that has it: see %(url)s."
        )
        % {
            "plan": organization.plan.name,
            "organization": organization.name,
            "url": reverse("upgrade"),
        },
        code="plan_feature_missing",
        status=402,
    )


def _import_record(organization, *, incidents, rows):
    highest = IncidentImport.objects.for_organization(organization).aggregate(
        number=Max("number")
    )["number"]
    record = IncidentImport.objects.create(
        organization=organization,
        number=(highest or 0) + 1,
        incidents=incidents,
        rows=rows,
    )
    _enqueue_report_build(record)
    return record


def _enqueue_report_build(record):
    from .tasks import incident_report_build_task

    task_enqueue(incident_report_build_task, (record.organization_id, record.pk))


def _progress(record, state, progress, **fields):
    """Write the state of ``record``'s report, at once and on ``record`` too."""
    fields = {"state": state, "progress": progress, **fields}
    IncidentImport.objects.filter(pk=record.pk).update(**fields)
    for name, value in fields.items():
        setattr(record, name, value)


@contextmanager
def _one_snapshot():
    """Run the reads inside in one snapshot of the database.

    An import commits its incidents and its ``IncidentImport`` row at once,
    so a snapshot without a newer import row holds exactly what this import
    left, whatever lands while the report is built.
    """
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _read_history(record):
    organization = record.organization
    with _one_snapshot():
        newer = IncidentImport.objects.for_organization(organization).filter(
            number__gt=record.number
        )
        if newer.exists():
            return None
        return {
            "traces": selectors.incident_traces(organization=organization),
            "summary": selectors.incident_summary(organization=organization),
            "update_gap_ms": selectors.incident_update_gap(organization=organization),
        }


def incident_report_build(*, incident_import):
    """Build and store the history report of ``incident_import``.

    Safe to call twice: a stored report of the current ``REPORT_VERSION`` is
    kept. When a newer import has landed, this one is marked superseded and
    the newer one's build stores the report of both. A report stored under an
    older version is built again while the old one stays served.
    """
    record = incident_import
    stale = record.state == IncidentImport.State.READY
    if stale and record.report_version == REPORT_VERSION:
        return record

    def progress(value):
        if not stale:
            _progress(record, IncidentImport.State.RUNNING, value)

    progress(10)
    read = _read_history(record)
    if read is None:
        _progress(record, IncidentImport.State.SUPERSEDED, 0)
        return record
    progress(50)
    report = build_report(read["traces"], imported=True)
    progress(80)
    html = render_to_string(
        "reports/_report.html",
        {"report_view": report_context(report, title=_("Incident history"))},
    )

    _progress(
        record,
        IncidentImport.State.READY,
        100,
        report=report.to_json().decode(),
        report_html=html,
        report_version=REPORT_VERSION,
        summary=read["summary"],
        update_gap_ms=read["update_gap_ms"],
        built_at=timezone.now(),
        failure_reason="",
    )
    _supersede_older(record)
    logger.info(
        "Built the incident history report of import %s",
        record.number,
        extra={"organization_id": record.organization_id},
    )
    return record


def incident_report_refresh(*, incident_import):
    """Queue a new build of a report stored under an older ``REPORT_VERSION``.

    Called as the page is read; the cache keeps it to one build per import
    and version however many people look meanwhile.
    """
    record = incident_import
    if record is None or record.report_version == REPORT_VERSION:
        return False
    key = f"reports:incident-refresh:{record.pk}:{REPORT_VERSION}"
    if not cache.add(key, True, timeout=REFRESH_LOCK_SECONDS):
        return False
    _enqueue_report_build(record)
    return True


def _supersede_older(record):
    # A report of a large history runs to hundreds of megabytes; the newest
    # one covers every import before it, so the older ones need not stay.
    IncidentImport.objects.for_organization(record.organization_id).filter(
        number__lt=record.number
    ).exclude(state=IncidentImport.State.SUPERSEDED).update(
        state=IncidentImport.State.SUPERSEDED, progress=0, report="", report_html=""
    )


def incident_report_build_failed(*, incident_import, reason):
    if incident_import.state == IncidentImport.State.READY:
        # A rebuild under a newer version failed; the stored report stays.
        logger.error(
            "Rebuilding the report of import %s failed: %s",
            incident_import.number,
            reason,
            extra={"organization_id": incident_import.organization_id},
        )
        return
    _progress(incident_import, IncidentImport.State.FAILED, 0, failure_reason=reason)
