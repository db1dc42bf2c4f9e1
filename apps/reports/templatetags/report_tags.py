from urllib.parse import urlencode

from django import template
from django.urls import reverse

from apps.reports.duration import format_duration, unbroken_duration

register = template.Library()


@register.filter
def duration(ms):
    """Render milliseconds as 45 s, 12 min, 3 h 5 min or 2 d 4 h."""
    return format_duration(ms)


@register.filter(name="unbroken_duration")
def unbroken(ms):
    """Render a duration that no line break splits: the report's tables and PDF."""
    return unbroken_duration(ms)


@register.filter
def percent(value):
    return "–" if value is None else f"{value:.0%}"


@register.simple_tag
def incident_filter_url(field, value):
    """Return the address of the history's incidents whose ``field`` is ``value``."""
    query = urlencode({field: value})
    return f"{reverse('incident_history')}?{query}#incidents"
