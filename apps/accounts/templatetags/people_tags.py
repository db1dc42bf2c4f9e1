from django import template

from apps.accounts.people import display_name as _display_name
from apps.accounts.people import name_with_email

register = template.Library()


@register.filter
def display_name(user):
    """Return how ``user`` is named on a page; empty for no user."""
    return _display_name(user) if user is not None else ""


register.filter("name_with_email", name_with_email)
