"""Celery tasks: take ids, load rows through selectors, call one service."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.http import Http404
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Organization
from apps.core.errors import ApplicationError

from . import selectors, services
from .models import SopVersion
from .render import RenderError

logger = logging.getLogger(__name__)

RETRY = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": 4}


def _backoff(retries):
    """Return the seconds to wait before retry number ``retries + 1``."""
    return min(120, 5 * 2**retries)


def _organization(organization_id):
    return Organization.objects.filter(pk=organization_id).first()


def _member(organization_id, user_id):
    # The person who asked for the build, while still a member.
    membership = (
        Membership.objects.filter(organization_id=organization_id, user_id=user_id)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@shared_task(bind=True, **RETRY)
def run_build_task(self, organization_id, run_id, generation, user_id=None):
    """Build one run; idempotent for the same run and generation."""
    try:
        run = selectors.run_get(
            organization=_organization(organization_id), run_id=run_id
        )
    except Http404:
        logger.info("Run %s is gone; nothing to build", run_id)
        return None
    try:
        version = services.run_build(
            run=run, generation=generation, user=_member(organization_id, user_id)
        )
    except ApplicationError as error:
        services.run_build_failed(run=run, generation=generation, reason=error.message)
        return None
    except (DatabaseError, RenderError, OSError) as error:
        if self.request.retries >= self.max_retries:
            services.run_build_failed(
                run=run, generation=generation, reason=_failure_reason(error)
            )
            return None
        logger.warning("Build of run %s failed; retrying", run_id, exc_info=True)
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    except Exception:
        # A fault in the build itself, or its soft time limit: the page says
        # so and offers to try again; the log keeps what happened.
        logger.exception(
            "Build of run %s stopped on an unexpected error",
            run_id,
            extra={"organization_id": organization_id, "run_id": run_id},
        )
        services.run_build_failed(
            run=run,
            generation=generation,
            reason=_(
                "The build stopped on an unexpected error. Try again; if it stops "
                "again, the worker's log says why."
            ),
        )
        return None
    return version.pk if version else None


def _failure_reason(error):
    if isinstance(error, RenderError):
        return _(
            "The process map could not be drawn (%(detail)s). Try again; if it fails "
            "again, edit the step whose text is unusual."
        ) % {"detail": str(error)[:200]}
    return _(
        "Generation failed several times because a service was unavailable. "
        "Try again in a few minutes."
    )


@shared_task
def run_builds_stalled_task():
    """Fail the builds whose worker stopped mid-build; Celery beat runs it."""
    return services.run_builds_fail_stalled()


@shared_task(bind=True, **RETRY)
def version_render_task(self, organization_id, version_id):
    """Render the SVG map and the PDF of one SOP version, once."""
    version = (
        SopVersion.objects.for_organization(organization_id)
        .select_related("workflow__organization")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        return None
    try:
        services.version_render(version=version)
    except (DatabaseError, RenderError, OSError) as error:
        if self.request.retries >= self.max_retries:
            services.version_render_failed(
                version=version, reason=_failure_reason(error)
            )
            return None
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    return version.pk
