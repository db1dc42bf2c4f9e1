"""How a person is named on a page: their name, else their address's local part."""

from apps.core.text import text_clean

from .models import User

NAME_MAX_LENGTH = User._meta.get_field("name").max_length


def display_name(user):
    """Return ``user``'s name, or the part of their email before the "@"."""
    return user.name.strip() or user.email.partition("@")[0]


def name_clean(value):
    """Return ``value`` as a name is stored: one line, single-spaced, trimmed.

    Control characters and bidirectional controls go, and tabs and line
    breaks become spaces: a name is shown on one line, in tables, headers,
    emails and PDFs alike, and changes nothing around it.
    """
    return " ".join(text_clean(value).split())


def name_with_email(user):
    """Return "Name (email)", or the email alone for someone without a name.

    For where a person must be told apart for certain, as before removing
    them, and where the reader may not know them, as in an invitation.
    """
    name = user.name.strip()
    return f"{name} ({user.email})" if name else user.email
