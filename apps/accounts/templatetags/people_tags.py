from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.accounts.people import display_name as _display_name
from apps.accounts.people import name_with_email

register = template.Library()


@register.filter
def display_name(user):
    """Return how ``user`` is named on a page; empty for no user."""
    return _display_name(user) if user is not None else ""


register.filter("name_with_email", name_with_email)


@register.filter
def breakable_email(email):
    """Return ``email`` escaped, free to wrap before its @.

    A narrow column then breaks it where a reader expects ("amara.okafor" /
    "@example.com") rather than inside the domain; only a part too long for
    the line on its own still breaks inside a word.
    """
    local, at, domain = str(email).rpartition("@")
    if not at:
        return escape(email)
    return mark_safe(f"{escape(local)}<wbr>@{escape(domain)}")
