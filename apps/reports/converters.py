"""The path converter that carries any incident number in one URL segment."""

from urllib.parse import unquote

# Pages under /incidents/ whose names a number must not take over.
PAGE_NAMES = ("import", "suggest")


def _escape_all(value):
    return "".join(f"%{byte:02X}" for byte in value.encode())


class IncidentNumberConverter:
    """Match one segment and give back the number exactly as imported.

    The server decodes ``%2F`` to ``/`` before routing, so ``reverse`` alone
    cannot keep a ``/`` inside a segment: ``to_url`` escapes ``%`` and ``/``
    once more, and ``reverse`` then quotes the rest. A number that is only
    dots, or the name of a page beside it, is escaped whole, so that neither
    browsers (``.`` and ``..``) nor the other routes read it as theirs.
    """

    regex = "[^/]+"

    def to_python(self, value):
        return unquote(value)

    def to_url(self, value):
        if value in PAGE_NAMES or not value.strip("."):
            return _escape_all(value)
        return value.replace("%", "%25").replace("/", "%2F")
