import logging
from http import HTTPStatus

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from .errors import ApplicationError
from .http import keep_private, prefers_json, referer_on_this_site

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Answer 200 when the database answers; for load balancers and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception):
    """Answer an unknown address with the API's error or the site's page."""
    if not prefers_json(request):
        return defaults.page_not_found(request, exception)
    error = ApplicationError(
        _(
            "There is nothing at this address. The API's addresses are listed "
            "at /api/docs/."
        ),
        code="not_found",
        status=HTTPStatus.NOT_FOUND,
    )
    return JsonResponse(error.as_dict(), status=error.status)


def server_error(request):
    """Answer an unexpected error with the API's error or the site's page.

    The page is tried in the full layout, which shows a signed-in person
    their own header; the layout asks the database and the session, either
    of which may be what failed, so the bare page stands in for it then.
    """
    reference = getattr(request, "id", None)
    if prefers_json(request):
        return _server_error_json(reference)
    context = {"reference": reference}
    try:
        return render(request, "500.html", context, status=500)
    except Exception:
        logger.exception("The error page could not be shown in the layout")
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", context))
    except Exception:
        logger.exception("The error page could not be shown")
    return HttpResponseServerError(
        _("Something went wrong on our side."), content_type="text/plain"
    )


def _server_error_json(reference):
    if reference:
        message = _(
            "Something went wrong on our side. It is logged; try again in a "
            "moment (reference %(reference)s)."
        ) % {"reference": reference}
    else:
        message = _(
            "Something went wrong on our side. It is logged; try again in a moment."
        )
    error = ApplicationError(
        message, code="server_error", status=HTTPStatus.INTERNAL_SERVER_ERROR
    )
    return JsonResponse(error.as_dict(), status=error.status)


def csrf_failure(request, reason=""):
    """Say that a form could not be sent because its CSRF token is stale.

    Mostly a tab left open across signing in or out elsewhere, which
    changes the token. The answer is kept private: the form may be a shared
    page's, whose address is its secret.
    """
    logger.warning("CSRF check failed: %s", reason)
    if prefers_json(request):
        error = ApplicationError(
            _("The CSRF check failed. Send the token the session was given."),
            code="csrf_failed",
            status=HTTPStatus.FORBIDDEN,
        )
        return keep_private(JsonResponse(error.as_dict(), status=error.status))
    context = {"back_url": referer_on_this_site(request)}
    response = render(request, "403_csrf.html", context, status=HTTPStatus.FORBIDDEN)
    return keep_private(response)
