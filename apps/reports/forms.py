from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import check_upload_size

# An audit export of a year of a busy desk's incidents is a few megabytes.
MAX_EXPORT_BYTES = 64 * 1024 * 1024


class IncidentImportForm(forms.Form):
    """An ITSM audit export, in the CSV layout ``docs/report.md`` describes."""

    file = forms.FileField(
        label=_("Audit export (CSV)"),
        help_text=_(
            "One row per update of an incident: number, state, assignment group, "
            "assigned to, priority and when it was updated."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = check_upload_size(self.cleaned_data["file"], MAX_EXPORT_BYTES)
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("The file is not UTF-8 text (byte %(position)s). Export it as CSV."),
                code="not_text",
                params={"position": error.start},
            ) from None


class SuggestForm(forms.Form):
    """The facts of a new incident that similar past incidents are found by."""

    category = forms.CharField(label=_("Category"), max_length=120, required=False)
    subcategory = forms.CharField(
        label=_("Subcategory"), max_length=120, required=False
    )
    symptom = forms.CharField(label=_("Symptom"), max_length=120, required=False)
    cmdb_ci = forms.CharField(
        label=_("Configuration item"), max_length=120, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not any(value.strip() for value in cleaned.values()):
            raise forms.ValidationError(
                _("Give at least one of category, subcategory, symptom or item.")
            )
        return {name: value.strip() for name, value in cleaned.items()}
