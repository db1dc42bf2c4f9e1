from django import template
from django.utils.translation import gettext_lazy as _

from apps.accounts.people import display_name
from apps.recordings.browsers import browser_label
from apps.recordings.format import EventType

register = template.Library()

register.filter("browser_label", browser_label)

EVENT_TYPE_LABELS = {
    EventType.NAVIGATION: _("Page opened"),
    EventType.CLICK: _("Click"),
    EventType.FIELD_EDITED: _("Field edited"),
    EventType.CHOICE_MADE: _("Choice made"),
    EventType.FORM_SUBMITTED: _("Form submitted"),
    EventType.TAB_OPENED: _("Tab opened"),
    EventType.TAB_SWITCHED: _("Tab switched"),
    EventType.PHASE_MARKED: _("Phase marked"),
    EventType.NOTE_ADDED: _("Note added"),
    EventType.RECORDING_PAUSED: _("Recording paused"),
    EventType.RECORDING_RESUMED: _("Recording resumed"),
}


@register.filter
def event_type_label(event_type):
    """Return how a page names a recorded event's type: "Choice made"."""
    return EVENT_TYPE_LABELS.get(event_type, event_type)


@register.filter
def recorded_by(recording):
    """Return who recorded ``recording``: the agent it names, else its uploader.

    The extension names no agent: the member whose browser recorded the run
    uploaded it. An imported document names its agent, or nobody.
    """
    if recording.agent or recording.created_by is None:
        return recording.agent
    return display_name(recording.created_by)
