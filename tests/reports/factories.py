import itertools

from apps.reports.services import incidents_import
from tests.factories import incident_history_allow

_numbers = itertools.count(1)
HEADER = (
    "number,incident_state,sys_updated_at,opened_at,assignment_group,priority,"
    "category,subcategory,u_symptom,cmdb_ci,resolved_at,made_sla"
)


def incident_rows(number, rows):
    """Return export lines for ``number``: (state, updated, group, priority)."""
    opened = rows[0][1]
    return [
        f"{number},{state},{updated},{opened},{group},{priority},"
        f"Category 1,Subcategory 1,Symptom 1,?,?,TRUE"
        for state, updated, group, priority in rows
    ]


def incident_create(*, organization, number=None, rows=None):
    """Import one incident into ``organization`` and return it."""
    number = number or f"INC9{next(_numbers):06d}"
    rows = rows or [
        ("New", "01-03-2016 09:00", "Group 1", "3 - Moderate"),
        ("Active", "01-03-2016 10:00", "Group 2", "3 - Moderate"),
        ("Resolved", "01-03-2016 12:00", "Group 2", "3 - Moderate"),
    ]
    text = "\n".join([HEADER, *incident_rows(number, rows)])
    incident_history_allow(organization)
    incidents_import(organization=organization, text=text)
    from apps.reports.models import Incident

    return Incident.objects.for_organization(organization).get(number=number)
