from datetime import timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def last_day(expires_at, organization):
    """Return the last day a link expiring at ``expires_at`` works.

    The form ends a link at the midnight after the day chosen, in the
    organization's zone; that midnight belongs to the next day, which the
    link no longer works on.
    """
    if expires_at is None:
        return None
    local = timezone.localtime(expires_at, organization.zoneinfo)
    return (local - timedelta(microseconds=1)).date()
