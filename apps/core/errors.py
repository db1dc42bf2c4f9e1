"""The one user-facing error type, with stable codes."""

from http import HTTPStatus


class ApplicationError(Exception):
    """An error a person can act on.

    ``code`` is stable and machine-readable; ``message`` is translated text
    that says what is wrong and what to do next; ``field`` names the input at
    fault where there is one; ``extra`` carries structured detail.
    """

    def __init__(
        self,
        message,
        *,
        code,
        status=HTTPStatus.BAD_REQUEST,
        field=None,
        extra=None,
        headers=None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.status = HTTPStatus(status)
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}

    def as_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        body.update(self.extra)
        return {"error": body}


class NotFound(ApplicationError):
    def __init__(self, message, *, code="not_found", **kwargs):
        super().__init__(message, code=code, status=HTTPStatus.NOT_FOUND, **kwargs)


class PermissionDenied(ApplicationError):
    def __init__(self, message, *, code="permission_denied", **kwargs):
        super().__init__(message, code=code, status=HTTPStatus.FORBIDDEN, **kwargs)
