"""Celery tasks: take ids, load rows, call one service."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import services
from .models import IncidentImport

logger = logging.getLogger(__name__)

MAX_RETRIES = 4


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
)
def incident_report_build_task(self, organization_id, incident_import_id):
    """Build the history report of one import; idempotent for that import."""
    incident_import = (
        IncidentImport.objects.for_organization(organization_id)
        .select_related("organization")
        .filter(pk=incident_import_id)
        .first()
    )
    if incident_import is None:
        logger.info("Import %s is gone; no report to build", incident_import_id)
        return None
    try:
        services.incident_report_build(incident_import=incident_import)
    except DatabaseError as error:
        if self.request.retries >= self.max_retries:
            services.incident_report_build_failed(
                incident_import=incident_import,
                reason=_("The report could not be built. Import the file again."),
            )
            return None
        logger.warning(
            "Report of import %s failed; retrying", incident_import_id, exc_info=True
        )
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
    except Exception:
        # A fault in the build itself: say so on the page, keep it in the log.
        services.incident_report_build_failed(
            incident_import=incident_import,
            reason=_("The report could not be built; the worker's log says why."),
        )
        raise
    return incident_import.pk
