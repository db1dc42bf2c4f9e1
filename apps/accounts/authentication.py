from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken, Membership

# Writing last_used_at on every request would turn each upload into an
# UPDATE; a minute of precision is plenty for "last used".
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer ldg_...``: a personal token for one organization."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword.lower() not in ("bearer", "token"):
            return None
        raw = raw.strip()
        if not raw:
            raise exceptions.AuthenticationFailed(_("The API token is missing."))

        token = (
            ApiToken.objects.select_related("user", "organization__plan")
            .filter(token_hash=ApiToken.hash(raw))
            .first()
        )
        if token is None or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _(
                    "This API token is not valid or was revoked. Connect again with "
                    "a new token from the Extension page."
                )
            )
        membership = (
            Membership.objects.filter(organization=token.organization, user=token.user)
            .select_related("organization__plan")
            .first()
        )
        if membership is None:
            raise exceptions.AuthenticationFailed(
                _("The token's user is no longer a member of its organization.")
            )

        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        django_request = request._request
        django_request.membership = membership
        django_request.organization = token.organization
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
