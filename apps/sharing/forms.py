from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form


class ShareLinkForm(Form):
    workflow = forms.ChoiceField(label=_("Workflow"))
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("Who the link is for, so you can tell links apart."),
    )
    pin_version = forms.BooleanField(
        label=_("Keep showing this version, even after later edits"),
        required=False,
    )
    include_report = forms.BooleanField(
        label=_("Include the workflow intelligence report"), required=False
    )
    show_names = forms.BooleanField(
        label=_("Show people’s names"),
        required=False,
        help_text=_(
            "Off: the page says “the agent”, or “Agent A” and “Agent B”, "
            "instead of the names of the agents and owners."
        ),
    )
    expires_on = forms.DateField(
        label=_("Expires after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the link works. Leave empty for no expiry."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional; at least 8 characters. Send it separately."),
    )

    def __init__(self, *args, workflows, **kwargs):
        super().__init__(*args, **kwargs)
        self.workflows = {str(workflow.pk): workflow for workflow in workflows}
        self.fields["workflow"].choices = [
            (key, str(workflow)) for key, workflow in self.workflows.items()
        ]

    def clean_workflow(self):
        return self.workflows[self.cleaned_data["workflow"]]

    def expires_at(self, zone):
        """Return the moment the link stops working: the day after, at midnight."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


class SharePasswordForm(Form):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
