"""Writes to share links: create, open (count a view), revoke one or all."""

import logging

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError, PermissionDenied

from .models import ShareLink

logger = logging.getLogger(__name__)

PASSWORD_ATTEMPTS = 10
PASSWORD_WINDOW_SECONDS = 300
MIN_PASSWORD_LENGTH = 8


def _log_extra(link):
    return {"organization_id": link.organization_id, "share_link_id": link.pk}


def share_link_create(
    *,
    membership,
    workflow,
    label="",
    include_report=False,
    show_names=False,
    expires_at=None,
    password="",
    pin_version=False,
):
    """Create a link to ``workflow``; return it with the raw token.

    With ``pin_version`` the link keeps showing the current version after
    later edits; otherwise it follows the workflow. Without ``show_names``
    the page calls people "the agent" or "Agent A". The raw token is shown
    once: only its hash is stored.
    """
    if membership is None or not membership.can_edit:
        raise PermissionDenied(_("Viewers cannot share workflows."))
    if workflow.organization_id != membership.organization_id:
        raise ApplicationError(
            _("That workflow is not in this organization."),
            code="not_found",
            status=404,
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(
            _("Choose an expiry in the future, or none."),
            code="expiry_past",
            field="expires_at",
        )
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise ApplicationError(
            _("Use a password of at least %(count)s characters, or none.")
            % {"count": MIN_PASSWORD_LENGTH},
            code="password_short",
            field="password",
        )

    if workflow.current_version_id is None:
        raise ApplicationError(
            _("This workflow has no SOP yet; share it once it is ready."),
            code="workflow_not_ready",
            status=409,
        )

    raw = ShareLink.generate()
    link = ShareLink.objects.create(
        organization=membership.organization,
        workflow=workflow,
        sop_version_id=workflow.current_version_id if pin_version else None,
        token_hash=ShareLink.hash(raw),
        label=(label or "").strip()[:100],
        include_report=include_report,
        show_names=show_names,
        expires_at=expires_at,
        password_hash=make_password(password) if password else "",
        created_by=membership.user,
    )
    logger.info("Share link created", extra=_log_extra(link))
    return link, raw


def _password_attempt_count(key):
    """Count one attempt under ``key`` and return how many the window holds.

    The increment is atomic, so guesses sent in parallel each get their own
    number and no more than ``PASSWORD_ATTEMPTS`` of them are ever checked.
    """
    cache.add(key, 0, PASSWORD_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ran out between the two calls: this attempt opens a new one.
        cache.add(key, 1, PASSWORD_WINDOW_SECONDS)
        return 1


def share_link_unlock(*, link, password, client_key):
    """Check ``password`` for ``link``; refuse after repeated failures."""
    key = f"share-password:{link.pk}:{client_key}"
    if _password_attempt_count(key) > PASSWORD_ATTEMPTS:
        raise ApplicationError(
            _("Too many wrong passwords. Wait a few minutes, then try again."),
            code="too_many_attempts",
            status=429,
        )
    if check_password(password or "", link.password_hash):
        cache.delete(key)
        return
    logger.warning("Wrong share link password", extra=_log_extra(link))
    raise ApplicationError(
        _("That password is not right."), code="password_wrong", field="password"
    )


def share_link_record_view(*, link, now=None):
    """Count one view of ``link`` with an atomic increment."""
    now = now or timezone.now()
    ShareLink.objects.filter(pk=link.pk).update(
        view_count=F("view_count") + 1, last_viewed_at=now
    )


def _require_may_revoke(membership, link):
    if membership is None or not membership.can_edit:
        raise PermissionDenied(_("Viewers cannot revoke share links."))
    if link.created_by_id != membership.user_id and not membership.can_manage:
        raise PermissionDenied(
            _("Only owners, admins and whoever created a link can revoke it.")
        )


def share_link_revoke(*, membership, link):
    _require_may_revoke(membership, link)
    ShareLink.objects.filter(pk=link.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    logger.info("Share link revoked", extra=_log_extra(link))


def share_link_revoke_all(*, membership):
    """Revoke every active link of the organization; return how many."""
    if membership is None or not membership.can_manage:
        raise PermissionDenied(_("Only owners and admins can revoke every link."))
    count = (
        ShareLink.objects.for_organization(membership.organization)
        .filter(revoked_at=None)
        .update(revoked_at=timezone.now())
    )
    logger.info(
        "All share links revoked (%s)",
        count,
        extra={"organization_id": membership.organization_id},
    )
    return count
