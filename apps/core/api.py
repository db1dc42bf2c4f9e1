"""Turn every API error into the same JSON body: ``{"error": {...}}``."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .errors import ApplicationError

logger = logging.getLogger(__name__)


class JSONParser(parsers.JSONParser):
    """Parse a JSON body, refusing one nested too deep to parse as a bad one.

    Python's decoder recurses once per level and raises ``RecursionError``
    past the interpreter's limit, which DRF's parser lets through as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the body is nested too deep.")
            ) from None


def _first_field(detail, prefix=""):
    """Return the dotted path and message of the first field error in ``detail``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            return _first_field(value, f"{prefix}.{key}" if prefix else str(key))
    if isinstance(detail, list) and detail:
        if isinstance(detail[0], (dict, list)):
            for index, value in enumerate(detail):
                if value:
                    return _first_field(value, f"{prefix}[{index}]")
        return prefix or None, str(detail[0])
    return prefix or None, str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = ApplicationError(_("Not found."), code="not_found", status=404)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = ApplicationError(
            _("You do not have permission to do that."),
            code="permission_denied",
            status=403,
        )
    elif isinstance(exc, exceptions.APIException):
        field, message = None, exc.detail
        if isinstance(exc.detail, (dict, list)):
            field, message = _first_field(exc.detail)
        headers = {}
        if getattr(exc, "auth_header", None):
            # Set by DRF on a 401: the client needs to know the scheme.
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait) + 1)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "invalid"
        exc = ApplicationError(
            message, code=code, status=exc.status_code, field=field, headers=headers
        )
    if not isinstance(exc, ApplicationError):
        return None

    set_rollback()
    if exc.status >= 500:
        logger.error("API error %s: %s", exc.code, exc.message)
    else:
        logger.warning("API error %s (%s)", exc.code, exc.status.value)
    return Response(exc.as_dict(), status=exc.status, headers=exc.headers)
