from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def marked(segments):
    """Return search ``segments`` as HTML, each match in a ``<mark>``."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<mark>{}</mark>", part.text) if part.match else part.text,)
            for part in segments
        ),
    )
