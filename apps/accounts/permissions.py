from django.utils.translation import gettext as _
from rest_framework import permissions

from apps.core.errors import ApplicationError


class InOrganization(permissions.BasePermission):
    """Require a current organization, and an editing role to write.

    The membership is the one the API token (or the session) set on the
    request; viewers may read but never change anything.
    """

    def has_permission(self, request, view):
        membership = getattr(request._request, "membership", None)
        if not membership:
            raise ApplicationError(
                _("Join or create an organization first."),
                code="no_organization",
                status=403,
            )
        if request.method not in permissions.SAFE_METHODS and not membership.can_edit:
            raise ApplicationError(
                _("Your role in this organization cannot change anything."),
                code="permission_denied",
                status=403,
            )
        return True
