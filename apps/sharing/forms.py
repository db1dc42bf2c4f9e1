from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

from .services import share_link_problems


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

    # The services' names for fields this form asks for under another name.
    SERVICE_FIELDS = {"expires_at": "expires_on"}

    def __init__(self, *args, workflows, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.workflows = {str(workflow.pk): workflow for workflow in workflows}
        self.fields["workflow"].choices = [
            (key, str(workflow)) for key, workflow in self.workflows.items()
        ]

    def clean_workflow(self):
        return self.workflows[self.cleaned_data["workflow"]]

    def clean(self):
        cleaned = super().clean()
        problems = share_link_problems(
            expires_at=self.expires_at(), password=cleaned.get("password", "")
        )
        for problem in problems:
            self.add_service_error(problem)
        return cleaned

    def add_service_error(self, error):
        """Show an ``ApplicationError`` at the field it names, or above them."""
        field = self.SERVICE_FIELDS.get(error.field, error.field)
        self.add_error(field if field in self.fields else None, error.message)

    def ask_password_again(self):
        """Say so where a password was typed: the page sent back never holds it."""
        if self.data.get("password") and not self.has_error("password"):
            self.add_error(
                "password", _("Type the password again: the page does not keep it.")
            )

    def expires_at(self):
        """Return the moment the link stops working: the day after, at midnight."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.zone)


class SharePasswordForm(Form):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
