from django.utils import timezone

from apps.core.selectors import get_scoped_or_404

from .models import ApiToken, Invitation, Membership, MonthlyUsage
from .people import display_name


def membership_current(*, user, organization_id=None):
    """Return the user's membership in ``organization_id``, else their first."""
    memberships = Membership.objects.filter(user=user).select_related(
        "organization__plan"
    )
    if organization_id is not None:
        chosen = memberships.filter(organization_id=organization_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def membership_list(*, user):
    return Membership.objects.filter(user=user).select_related("organization")


def member_list(*, organization):
    """Return the memberships by the name pages show, in any case, then email."""
    memberships = Membership.objects.for_organization(organization).select_related(
        "user"
    )
    return sorted(memberships, key=_shown_name_key)


def manager_list(*, organization):
    """Return the owners and admins, who change roles, as ``member_list`` does."""
    return [
        membership
        for membership in member_list(organization=organization)
        if membership.can_manage
    ]


def _shown_name_key(membership):
    user = membership.user
    return display_name(user).casefold(), user.email.casefold()


def invitation_pending_list(*, organization):
    return (
        Invitation.objects.for_organization(organization)
        .filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )


def api_token_list(*, membership):
    """Return the active tokens ``membership`` sees, and may revoke.

    Owners and admins see every token of the organization; anyone else,
    whatever their role, sees their own.
    """
    tokens = _api_tokens_seen(membership=membership).filter(revoked_at=None)
    return tokens.select_related("user")


def api_token_get(*, membership, token_id):
    """Return a token ``membership`` sees, revoked or not, or raise 404."""
    return get_scoped_or_404(
        _api_tokens_seen(membership=membership),
        organization=membership.organization,
        pk=token_id,
    )


def _api_tokens_seen(*, membership):
    tokens = ApiToken.objects.for_organization(membership.organization)
    if membership.can_manage:
        return tokens
    return tokens.filter(user=membership.user)


def api_token_old_connect_count(*, organization, user):
    """Return how many of the user's connect tokens are older than the newest."""
    tokens = ApiToken.objects.for_organization(organization).filter(
        user=user, source=ApiToken.Source.CONNECT, revoked_at=None
    )
    return max(tokens.count() - 1, 0)


def month_start(*, organization, now=None):
    """Return the first day of the organization's current calendar month."""
    local = (now or timezone.now()).astimezone(organization.zoneinfo)
    return local.date().replace(day=1)


def next_month_start(*, organization, now=None):
    start = month_start(organization=organization, now=now)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def usage_current(*, organization, now=None):
    """Return ``(used, limit, resets_on)`` for the organization's current month."""
    month = month_start(organization=organization, now=now)
    row = (
        MonthlyUsage.objects.for_organization(organization).filter(month=month).first()
    )
    used = row.workflows_created if row else 0
    return (
        used,
        organization.monthly_workflow_limit,
        next_month_start(organization=organization, now=now),
    )
