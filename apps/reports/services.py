import csv
import io
import logging
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError

from . import history
from .models import Incident, IncidentUpdate

logger = logging.getLogger(__name__)


def _moment(ms):
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def _read_updates(text):
    reader = csv.DictReader(io.StringIO(text))
    try:
        history.check_columns(reader.fieldnames)
        # The header is line 1; DictReader's line_num is the last line read.
        return [history.parse_row(row, reader.line_num) for row in reader]
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


def _incident_values(updates, measures):
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
        "made_sla": measures["made_sla"],
        "reassignments": len(measures["handoffs"]),
        "resolution_ms": measures["resolution_ms"],
        "time_in_state": measures["time_in_state"],
        "handoffs": measures["handoffs"],
    }


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


@transaction.atomic
def incidents_import(*, organization, text):
    """Store the incidents of an audit export; return (created, updated, rows).

    Importing the same export again changes nothing: each incident in the
    file is matched by number and its updates are replaced as a whole.
    """
    grouped = history.group_updates(_read_updates(text))
    created = 0
    rows = []
    for number, updates in grouped.items():
        measures = history.incident_measures(updates)
        incident, is_new = Incident.objects.update_or_create(
            organization=organization,
            number=number,
            defaults=_incident_values(updates, measures),
        )
        created += is_new
        if not is_new:
            incident.updates.all().delete()
        rows += _update_rows(organization, incident, updates)
    IncidentUpdate.objects.bulk_create(rows, batch_size=2000)

    logger.info(
        "Imported %s incidents (%s new) from %s rows",
        len(grouped),
        created,
        len(rows),
        extra={"organization_id": organization.id},
    )
    return created, len(grouped) - created, len(rows)
