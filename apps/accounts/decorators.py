import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.core.errors import PermissionDenied


def membership_required(view=None, *, edit=False, manage=False):
    """Require a logged-in member of the current organization.

    ``edit`` refuses viewers; ``manage`` admits only owners and admins. A
    refused role is a 403 in the user's own organization; objects of other
    organizations never get this far, their selectors answer 404.
    """

    def decorator(view_func):
        @login_required
        @functools.wraps(view_func)
        def wrapper(request, *args, **kwargs):
            membership = request.membership
            if not membership:
                return redirect("organization_new")
            if manage and not membership.can_manage:
                raise PermissionDenied(_("Only owners and admins can do that."))
            if (
                edit
                and request.method not in ("GET", "HEAD")
                and not membership.can_edit
            ):
                raise PermissionDenied(_("Viewers can look but not change anything."))
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view else decorator
