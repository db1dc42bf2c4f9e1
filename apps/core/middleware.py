import logging
import re
import time
import uuid
from http import HTTPStatus

from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .http import prefers_json, referer_on_this_site
from .logging import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ORGANIZATION_SESSION_KEY = "organization_id"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestIdMiddleware:
    """Give every request an id, echo it back and put it on every log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = (
            incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        )
        token = request_id_var.set(request.id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            # The route, not the path: a shared page's path is its token.
            logger.debug(
                "%s %s %s in %.1f ms",
                request.method,
                _route(request),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
        finally:
            request_id_var.reset(token)
        return response


def _route(request):
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else request.path


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class PrivatePageMiddleware:
    """Keep every page shown to a logged-in user out of caches.

    A browser keeps a page it may store and shows it again on Back as it
    was: a workflow just deleted, with buttons that seem to work, or the
    dashboard after logging out. Not stored, the page is asked for again
    and the server says what became of it. A view that sets its own
    Cache-Control keeps it, and static files never reach this far: WhiteNoise
    answers them first, cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.has_header("Cache-Control")
            and response.get("Content-Type", "").startswith("text/html")
            and _logged_in(request)
        ):
            response["Cache-Control"] = "no-store"
        return response


def _logged_in(request):
    # A DRF view that authenticates no one leaves None as the request's user.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _current_membership(request):
    from apps.accounts.selectors import membership_current

    if not request.user.is_authenticated:
        return None
    membership = membership_current(
        user=request.user,
        organization_id=request.session.get(ORGANIZATION_SESSION_KEY),
    )
    if membership is not None:
        request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
    return membership


class OrganizationMiddleware:
    """Set ``request.membership`` and ``request.organization`` for the session.

    The current organization is the one the user last switched to, or their
    first. API requests authenticated by token set both from the token instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: _current_membership(request))
        request.organization = SimpleLazyObject(
            lambda: request.membership.organization if request.membership else None
        )
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """Render an ``ApplicationError`` raised by an HTML view as a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        logger.warning("Page error %s (%s)", exception.code, exception.status.value)
        response = render(
            request,
            "error.html",
            {"error": exception, "heading": _error_heading(exception.status)},
            status=exception.status,
        )
        for header, value in exception.headers.items():
            response[header] = value
        return response


class MethodNotAllowedMiddleware:
    """Answer a method an address does not take with a page, not a blank one.

    ``require_POST`` and class-based views answer such a request with an
    empty 405, which a browser shows as a blank page to whoever opened a
    form's address as a link. A client asking for JSON gets the API's error
    shape instead; the API's own views answer with it already.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response

        allowed = [method.strip() for method in response["Allow"].split(",")]
        if prefers_json(request):
            answer = _method_not_allowed_json(request, allowed)
        else:
            answer = _method_not_allowed_page(request, allowed)
        answer["Allow"] = response["Allow"]
        return answer


def _method_not_allowed_json(request, allowed):
    error = ApplicationError(
        _("This address only takes a %(allowed)s request, not %(method)s.")
        % {"allowed": get_text_list(allowed, _("or")), "method": request.method},
        code="method_not_allowed",
        status=HTTPStatus.METHOD_NOT_ALLOWED,
    )
    return JsonResponse(error.as_dict(), status=error.status)


def _method_not_allowed_page(request, allowed):
    context = {
        "form_only": "GET" not in allowed,
        "back_url": referer_on_this_site(request),
    }
    return render(request, "405.html", context, status=HTTPStatus.METHOD_NOT_ALLOWED)


def _error_heading(status):
    """Return what an error page says it is, in its title and its heading."""
    if status == HTTPStatus.NOT_FOUND:
        return _("Not found")
    if status == HTTPStatus.FORBIDDEN:
        return _("Not allowed")
    return _("That did not work")
