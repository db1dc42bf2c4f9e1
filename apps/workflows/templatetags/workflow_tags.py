from django import template

from apps.workflows import compare
from apps.workflows.sop import PHASE_TITLES

register = template.Library()


@register.filter
def phase_title(phase):
    """Return a phase's title as the SOP shows it: "log" becomes "Log"."""
    return PHASE_TITLES.get(phase, phase)


@register.filter
def change_counts(rows):
    """Return how many of a comparison's ``rows`` each change has."""
    return compare.change_counts(rows)


@register.filter
def step_edit(step_edits, ref):
    """Return the values of the edit forms of the step ``ref``, if it has any."""
    return step_edits.get(ref)
