from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from apps.core.http import client_address

# The address an invitation just let someone join with, for one check.
INVITED_EMAIL_SESSION_KEY = "invitation_joined_email"


class AccountAdapter(DefaultAccountAdapter):
    # ACCOUNT_RATE_LIMITS["login_failed"] counts failures over five minutes.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed log-ins. Try again in five minutes, or reset "
            "your password."
        ),
    }

    def get_login_redirect_url(self, request):
        pending = request.session.pop("invitation_token", None)
        if pending:
            from django.urls import reverse

            return reverse("invitation_accept", kwargs={"token": pending})
        return super().get_login_redirect_url(request)

    def is_email_verified(self, request, email):
        # Set by the sign-up form when someone joins from an invitation's
        # link with the address it was sent to: the link proved it.
        joined = request.session.pop(INVITED_EMAIL_SESSION_KEY, "")
        if joined and joined.lower() == email.lower():
            return True
        return super().is_email_verified(request, email)

    def get_client_ip(self, request):
        # Login and sign-up rate limits count per address; behind a proxy
        # that must be the client's, not the proxy's.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
