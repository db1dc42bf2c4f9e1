from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import check_upload_size
from apps.core.text import text_clean

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
    """The facts of a new incident that similar past incidents are found by.

    ``known`` maps a field to the values the organization's incidents hold
    (``selectors.incident_suggest_choices``); each field offers them in a
    datalist and still takes any other value.
    """

    category = forms.CharField(label=_("Category"), max_length=120, required=False)
    subcategory = forms.CharField(
        label=_("Subcategory"), max_length=120, required=False
    )
    symptom = forms.CharField(label=_("Symptom"), max_length=120, required=False)
    cmdb_ci = forms.CharField(
        label=_("Configuration item"), max_length=120, required=False
    )

    def __init__(self, *args, known=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.datalists = []
        for name, values in (known or {}).items():
            if name in self.fields and values:
                list_id = f"known-{name}"
                self.fields[name].widget.attrs.update(list=list_id, autocomplete="off")
                self.datalists.append({"id": list_id, "values": values})

    def clean(self):
        cleaned = {
            name: text_clean(value).strip() for name, value in super().clean().items()
        }
        if not any(cleaned.values()) and not self.errors:
            raise forms.ValidationError(
                _("Give at least one of category, subcategory, symptom or item."),
                code="no_facts",
            )
        return cleaned

    def facts(self, names):
        """Return the label and given value of each field in ``names``."""
        return [
            {"label": self.fields[name].label, "value": self.cleaned_data[name]}
            for name in names
        ]
