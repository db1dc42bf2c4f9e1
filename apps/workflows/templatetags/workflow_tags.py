from django import template

from apps.workflows.sop import PHASE_TITLES

register = template.Library()


@register.filter
def phase_title(phase):
    """Return a phase's title as the SOP shows it: "log" becomes "Log"."""
    return PHASE_TITLES.get(phase, phase)
