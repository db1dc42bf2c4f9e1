"""Writes to share links: create, open (count a view), revoke one or all.

And the links' PDF: asked for by a visit, made once by a Celery task.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.jobs import task_enqueue
from apps.workflows.models import State

from . import documents, selectors
from .models import SharedPdf, ShareLink

logger = logging.getLogger(__name__)

PASSWORD_ATTEMPTS = 10
PASSWORD_WINDOW_SECONDS = 300
MIN_PASSWORD_LENGTH = 8

# A PDF whose map failed to draw, or a failed build, is made again on a visit
# this long after: a visitor has no way to ask for another render.
PDF_RETRY_SECONDS = 5 * 60
# A build that has not moved for longer than a task may run was lost (a
# worker killed before it acknowledged, or a restarted web process running
# tasks on its thread); a visit asks for it again.
PDF_STALE_SECONDS = settings.CELERY_TASK_TIME_LIMIT + 60


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
    problems = share_link_problems(expires_at=expires_at, password=password)
    if problems:
        raise problems[0]

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


def share_link_problems(*, expires_at=None, password=""):
    """Return an error for each setting of a new link that is refused.

    Each is checked on its own, so that a form can show them all at once.
    """
    problems = []
    if expires_at is not None and expires_at <= timezone.now():
        problems.append(
            ApplicationError(
                _("Choose an expiry in the future, or none."),
                code="expiry_past",
                field="expires_at",
            )
        )
    if password and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            ApplicationError(
                _("Use a password of at least %(count)s characters, or none.")
                % {"count": MIN_PASSWORD_LENGTH},
                code="password_short",
                field="password",
            )
        )
    return problems


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
            # The window opened at the first attempt: this is the longest wait.
            headers={"Retry-After": str(PASSWORD_WINDOW_SECONDS)},
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


# ------------------------------------------------------------------------------
# The shared PDF
# ------------------------------------------------------------------------------
def shared_pdf_request(*, link, now=None):
    """Return the stored PDF of ``link``, asking for its build if it is not made.

    None when the link has no SOP to show. Links to the same version with the
    same settings share one row, and only the request that creates or resets
    it enqueues the build, so visitors arriving together enqueue one.
    """
    now = now or timezone.now()
    version = selectors.shared_version(link=link)
    if version is None:
        return None
    digest = _shared_pdf_digest(version, link.show_names, link.include_report)

    shared_pdf, created = SharedPdf.objects.get_or_create(
        organization=link.organization,
        sop_version=version,
        show_names=link.show_names,
        include_report=link.include_report,
        defaults={"digest": digest, "updated_at": now},
    )
    if created:
        _enqueue_shared_pdf(shared_pdf)
    elif _wanted_again(shared_pdf, digest, now):
        _shared_pdf_reset(shared_pdf, digest, now)
        shared_pdf.refresh_from_db()
    return shared_pdf


def _shared_pdf_digest(version, show_names, include_report):
    inputs = selectors.shared_document_inputs(
        version=version, show_names=show_names, include_report=include_report
    )
    return documents.pdf_digest(inputs)


def _wanted_again(shared_pdf, digest, now):
    """Say whether ``shared_pdf`` is to be made again rather than waited for."""
    if shared_pdf.digest != digest:
        return True
    age = now - shared_pdf.updated_at
    if shared_pdf.state == State.READY:
        return not shared_pdf.whole and age > timedelta(seconds=PDF_RETRY_SECONDS)
    if shared_pdf.state == State.FAILED:
        return age > timedelta(seconds=PDF_RETRY_SECONDS)
    return age > timedelta(seconds=PDF_STALE_SECONDS)


def _shared_pdf_reset(shared_pdf, digest, now):
    # Conditional on the row as read: of requests resetting it at once, one
    # changes it and enqueues the build; the others wait for that build.
    reset = SharedPdf.objects.filter(
        pk=shared_pdf.pk,
        digest=shared_pdf.digest,
        state=shared_pdf.state,
        updated_at=shared_pdf.updated_at,
    ).update(
        digest=digest,
        state=State.QUEUED,
        progress=0,
        pdf=None,
        failure="",
        updated_at=now,
    )
    if reset:
        _enqueue_shared_pdf(shared_pdf)


def _enqueue_shared_pdf(shared_pdf):
    from .tasks import shared_pdf_build_task

    # The map is drawn in Chromium, as for the workflow's own PDF.
    queue = settings.WORKFLOWS_QUEUE
    options = {"queue": queue} if queue else {}
    args = (shared_pdf.organization_id, shared_pdf.pk)
    task_enqueue(shared_pdf_build_task, args, **options)


def shared_pdf_build(*, shared_pdf):
    """Make and store the PDF of ``shared_pdf``; once for the same inputs.

    The document is read again here, so the PDF holds what the shared page
    shows now, and ``digest`` says what that was.
    """
    version = shared_pdf.sop_version
    options = {
        "show_names": shared_pdf.show_names,
        "include_report": shared_pdf.include_report,
    }
    # Read before the document: inputs changing in between then leave an
    # older digest with the newer PDF, and the next visit makes it again,
    # rather than a newer digest on an older PDF that no visit would replace.
    digest = _shared_pdf_digest(version, **options)
    if shared_pdf.state == State.READY and shared_pdf.digest == digest:
        return
    document = selectors.shared_document(version=version, **options)

    _shared_pdf_progress(shared_pdf, 10)
    svg, whole = documents.map_svg(
        document["mermaid"], organization_id=shared_pdf.organization_id
    )
    _shared_pdf_progress(shared_pdf, 60)
    pdf = documents.pdf_render(document, svg=svg, version_number=version.number)

    SharedPdf.objects.filter(pk=shared_pdf.pk).update(
        digest=digest,
        state=State.READY,
        progress=100,
        pdf=pdf,
        filename=documents.pdf_filename(document),
        whole=whole,
        failure="",
        updated_at=timezone.now(),
    )
    logger.info("Shared PDF made", extra=_pdf_log_extra(shared_pdf))


def _shared_pdf_progress(shared_pdf, progress):
    SharedPdf.objects.filter(pk=shared_pdf.pk).update(
        state=State.RUNNING, progress=progress, updated_at=timezone.now()
    )


def shared_pdf_build_failed(*, shared_pdf, reason):
    SharedPdf.objects.filter(pk=shared_pdf.pk).update(
        state=State.FAILED, failure=reason, updated_at=timezone.now()
    )
    logger.error("Shared PDF failed: %s", reason, extra=_pdf_log_extra(shared_pdf))


def _pdf_log_extra(shared_pdf):
    return {
        "organization_id": shared_pdf.organization_id,
        "shared_pdf_id": shared_pdf.pk,
    }
