from django import template

from apps.accounts.people import display_name
from apps.recordings.browsers import browser_label

register = template.Library()

register.filter("browser_label", browser_label)


@register.filter
def recorded_by(recording):
    """Return who recorded ``recording``: the agent it names, else its uploader.

    The extension names no agent: the member whose browser recorded the run
    uploaded it. An imported document names its agent, or nobody.
    """
    if recording.agent or recording.created_by is None:
        return recording.agent
    return display_name(recording.created_by)
