"""Celery tasks: make a share link's PDF, off the web request."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from apps.workflows.render import RenderError
from apps.workflows.tasks import RETRY

from . import selectors, services

logger = logging.getLogger(__name__)


@shared_task(bind=True, **RETRY)
def shared_pdf_build_task(self, organization_id, shared_pdf_id):
    """Make one stored shared PDF; idempotent for the same inputs."""
    shared_pdf = selectors.shared_pdf_get(
        organization_id=organization_id, shared_pdf_id=shared_pdf_id
    )
    if shared_pdf is None:
        return None
    try:
        services.shared_pdf_build(shared_pdf=shared_pdf)
    except (DatabaseError, RenderError, OSError) as error:
        if self.request.retries >= self.max_retries:
            reason = _("The PDF could not be made. Try again in a few minutes.")
            services.shared_pdf_build_failed(shared_pdf=shared_pdf, reason=reason)
            return None
        logger.warning("Shared PDF %s failed; retrying", shared_pdf_id, exc_info=True)
        countdown = min(120, 5 * 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error
    return shared_pdf.pk
