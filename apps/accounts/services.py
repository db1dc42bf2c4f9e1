import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError

from .models import (
    INVITATION_LIFETIME,
    ApiToken,
    Invitation,
    InvitationLink,
    Membership,
    MonthlyUsage,
    Organization,
    Plan,
    Role,
    User,
)
from .people import NAME_MAX_LENGTH, name_clean
from .selectors import month_start, next_month_start

logger = logging.getLogger(__name__)


def plan_default():
    plan = Plan.objects.filter(is_default=True).first()
    if plan is None:
        plan, _created = Plan.objects.get_or_create(
            slug="free",
            defaults={"name": "Free", "monthly_workflow_limit": 5, "is_default": True},
        )
    return plan


def _unique_slug(name):
    base = slugify(name)[:60] or "organization"
    slug = base
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def organization_create(*, name, owner, plan=None, timezone_name="UTC"):
    organization = Organization.objects.create(
        name=name,
        slug=_unique_slug(name),
        plan=plan or plan_default(),
        timezone=timezone_name,
    )
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    logger.info("Organization created", extra={"organization_id": organization.id})
    return organization


def user_create(*, email, password=None, name=""):
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            _("A user with the email %(email)s already exists.") % {"email": email},
            code="user_exists",
            field="email",
        )
    return User.objects.create_user(email=email, password=password, name=name)


def user_name_set(*, user, name):
    """Store ``name`` as ``user``'s name, cleaned; blank leaves them unnamed."""
    name = name_clean(name)
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("Your name is %(length)s characters; the limit is %(limit)s.")
            % {"length": len(name), "limit": NAME_MAX_LENGTH},
            code="name_too_long",
            field="name",
        )
    user.name = name
    user.save(update_fields=["name"])
    return user


def _require_manager(*, membership):
    if membership is None or not membership.can_manage:
        raise ApplicationError(
            _("Only owners and admins can manage members, invitations and tokens."),
            code="permission_denied",
            status=403,
        )


def invitation_create(*, membership, email, role, request=None):
    """Invite ``email`` to the membership's organization; mail it a link.

    An address with a pending invitation is sent that invitation again: a
    new link to it, with the role given now and a new expiry, while the
    link in the earlier email keeps working. Return the invitation, the new
    link's raw token and whether the invitation was sent before.
    """
    _require_manager(membership=membership)
    if role == Role.OWNER and membership.role != Role.OWNER:
        raise ApplicationError(
            _("Only an owner can invite another owner."),
            code="permission_denied",
            status=403,
        )
    organization = membership.organization
    email = email.strip().lower()
    if (
        Membership.objects.for_organization(organization)
        .filter(user__email__iexact=email)
        .exists()
    ):
        raise ApplicationError(
            _("%(email)s is already a member of %(organization)s.")
            % {"email": email, "organization": organization.name},
            code="already_member",
            field="email",
        )

    raw = secrets.token_urlsafe(32)
    invitation, resent = _invitation_open(
        membership=membership, email=email, role=role, token_hash=ApiToken.hash(raw)
    )
    _invitation_send(invitation=invitation, raw=raw, resent=resent, request=request)
    return invitation, raw, resent


@transaction.atomic
def _invitation_open(*, membership, email, role, token_hash):
    """Return the address's pending invitation, renewed, or a new one, with a
    new link to it.

    An open invitation past its expiry is revoked rather than renewed: its
    links had stopped working, and stay so.
    """
    organization = membership.organization
    # Locking the organization lets one invitation to an address at a time
    # through, so two at once cannot both find none open and make two.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    open_invitation = (
        Invitation.objects.for_organization(organization)
        .filter(email__iexact=email, accepted_at=None, revoked_at=None)
        .first()
    )
    if open_invitation is not None and open_invitation.is_pending:
        invitation = _invitation_renew(
            open_invitation, membership=membership, role=role
        )
    else:
        invitation = _invitation_replace(
            open_invitation, membership=membership, email=email, role=role
        )

    InvitationLink.objects.create(
        organization=organization, invitation=invitation, token_hash=token_hash
    )
    return invitation, invitation == open_invitation


def _invitation_renew(invitation, *, membership, role):
    invitation.role = role
    invitation.invited_by = membership.user
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.save(update_fields=["role", "invited_by", "expires_at"])
    return invitation


def _invitation_replace(expired, *, membership, email, role):
    if expired is not None:
        expired.revoked_at = timezone.now()
        expired.save(update_fields=["revoked_at"])
    return Invitation.objects.create(
        organization=membership.organization,
        email=email,
        role=role,
        invited_by=membership.user,
    )


def _invitation_send(*, invitation, raw, resent, request):
    organization = invitation.organization
    path = reverse("invitation_accept", kwargs={"token": raw})
    link = request.build_absolute_uri(path) if request else settings.SITE_URL + path
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "invitation": invitation,
            "link": link,
            "inviter": invitation.invited_by,
            "resent": resent,
        },
    )
    send_mail(
        _("You are invited to %(organization)s on Ledgerium")
        % {"organization": organization.name},
        body,
        None,
        [invitation.email],
    )
    logger.info("Invitation sent", extra={"organization_id": organization.id})


def _invitation_by_token(token):
    return (
        Invitation.objects.select_related("organization")
        .filter(links__token_hash=ApiToken.hash(token))
        .first()
    )


def invitation_for_token(*, token):
    invitation = _invitation_by_token(token)
    if invitation is None or not invitation.is_pending:
        raise ApplicationError(
            _(
                "This invitation is not valid: it was used, revoked or has expired. "
                "Ask for a new one."
            ),
            code="invitation_invalid",
            status=404,
        )
    return invitation


def invitation_pending_for(*, token, user):
    """Return whether ``token`` is a pending invitation addressed to ``user``."""
    if not token:
        return False
    invitation = _invitation_by_token(token)
    return (
        invitation is not None
        and invitation.is_pending
        and invitation.email.lower() == user.email.lower()
    )


@transaction.atomic
def invitation_accept(*, token, user):
    invitation = invitation_for_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ApplicationError(
            _("This invitation was already used."),
            code="invitation_invalid",
            status=404,
        )
    if invitation.email.lower() != user.email.lower():
        raise ApplicationError(
            _(
                "This invitation is for another email address. Log in as %(email)s "
                "to accept it."
            )
            % {"email": invitation.email},
            code="invitation_wrong_user",
            status=403,
        )
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization,
        user=user,
        defaults={"role": invitation.role},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def invitation_revoke(*, membership, invitation):
    _require_manager(membership=membership)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def membership_set_role(*, membership, target, role):
    _require_manager(membership=membership)
    if Role.OWNER in (role, target.role) and membership.role != Role.OWNER:
        raise ApplicationError(
            _("Only an owner can change an owner's role or make someone owner."),
            code="permission_denied",
            status=403,
        )
    if target.role == Role.OWNER and role != Role.OWNER:
        _require_another_owner(target=target)
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, membership, target):
    """Remove ``target`` from the organization, and revoke their tokens in it.

    A token acts through its owner's membership, so it stops working without
    one anyway; revoked, it stays dead should they join again.
    """
    _require_manager(membership=membership)
    if target.role == Role.OWNER:
        if membership.role != Role.OWNER:
            raise ApplicationError(
                _("Only an owner can remove an owner."),
                code="permission_denied",
                status=403,
            )
        _require_another_owner(target=target)

    ApiToken.objects.for_organization(target.organization).filter(
        user=target.user, revoked_at=None
    ).update(revoked_at=timezone.now())
    target.delete()


def _require_another_owner(*, target):
    owners = Membership.objects.for_organization(target.organization).filter(
        role=Role.OWNER
    )
    if not owners.exclude(pk=target.pk).exists():
        raise ApplicationError(
            _(
                "An organization needs at least one owner: make another member "
                "owner first."
            ),
            code="last_owner",
        )


def api_token_create(*, membership, name, source=ApiToken.Source.CREATED):
    """Create a token for the membership's user; return it with the raw secret.

    The raw secret is shown once: only its hash is stored.
    """
    if membership is None or not membership.can_edit:
        raise ApplicationError(
            _("Viewers cannot create API tokens."), code="permission_denied", status=403
        )
    name = _api_token_name_clean(name)

    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        organization=membership.organization,
        user=membership.user,
        name=name,
        token_hash=ApiToken.hash(raw),
        hint=raw[:10],
        source=source,
    )
    logger.info("API token created", extra={"organization_id": token.organization_id})
    return token, raw


def _api_token_name_clean(name):
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Give the token a name."), code="required", field="name"
        )
    if len(name) > ApiToken.NAME_MAX_LENGTH:
        raise ApplicationError(
            _("The token name is %(length)s characters; the limit is %(limit)s.")
            % {"length": len(name), "limit": ApiToken.NAME_MAX_LENGTH},
            code="name_too_long",
            field="name",
        )
    return name


def api_token_revoke(*, membership, token):
    """Revoke ``token``: one's own whatever one's role, anyone's as a manager.

    Return False if it was revoked already, keeping when that was.
    """
    if token.user_id != membership.user_id:
        _require_manager(membership=membership)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    return revoked == 1


def api_token_revoke_old_connect(*, membership):
    """Revoke the user's connect tokens but the newest; return how many.

    Each connect mints a token, and the extension keeps only the last one.
    """
    tokens = ApiToken.objects.for_organization(membership.organization).filter(
        user=membership.user, source=ApiToken.Source.CONNECT, revoked_at=None
    )
    newest = tokens.order_by("-created_at", "-id").first()
    if newest is None:
        return 0
    return tokens.exclude(pk=newest.pk).update(revoked_at=timezone.now())


def usage_reserve_workflow(*, organization, now=None):
    """Count one new workflow against this month's quota, or refuse.

    Return the month counted in. Must run inside the transaction that creates
    the workflow: the counter is incremented by a conditional UPDATE, so
    concurrent callers at the limit cannot both pass, and a rollback gives
    the slot back.
    """
    month = month_start(organization=organization, now=now)
    limit = organization.monthly_workflow_limit
    try:
        with transaction.atomic():
            MonthlyUsage.objects.get_or_create(organization=organization, month=month)
    except IntegrityError:
        pass

    rows = MonthlyUsage.objects.for_organization(organization).filter(month=month)
    if limit is not None:
        rows = rows.filter(workflows_created__lt=limit)
    if rows.update(workflows_created=F("workflows_created") + 1) == 1:
        return month

    resets_on = next_month_start(organization=organization, now=now)
    raise ApplicationError(
        _(
            "%(organization)s has documented %(used)s of %(limit)s workflows this "
            "month. The count resets on %(resets)s; ask an owner to upgrade the "
            "plan to document more now. The recording is kept and can be "
            "generated later."
        )
        % {
            "organization": organization.name,
            "used": limit,
            "limit": limit,
            "resets": date_format(resets_on, "DATE_FORMAT"),
        },
        code="quota_exceeded",
        status=402,
        extra={"used": limit, "limit": limit, "resets_on": resets_on.isoformat()},
    )


def usage_release_workflow(*, organization, month):
    """Stop counting one workflow against the quota of ``month``.

    For a workflow that documented nothing: its first build failed.
    """
    rows = MonthlyUsage.objects.for_organization(organization).filter(
        month=month, workflows_created__gt=0
    )
    rows.update(workflows_created=F("workflows_created") - 1)
