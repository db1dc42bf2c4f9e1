from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, check_upload_size
from apps.core.sizes import size_exact
from apps.core.text import text_clean

# An audit export of a year of a busy desk's incidents is a few megabytes.
MAX_EXPORT_BYTES = 64 * 1024 * 1024


class IncidentImportForm(Form):
    """An ITSM audit export, in the CSV layout ``docs/report.md`` describes."""

    file = forms.FileField(
        label=_("Audit export (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "One row per update of an incident: number, state, assignment group, "
            "assigned to, priority and when it was updated. Up to %(limit)s of "
            "UTF-8 text."
        ) % {"limit": size_exact(MAX_EXPORT_BYTES)}

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


class SuggestForm(Form):
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


SLA_CHOICES = [("", _("Any")), ("made", _("Made")), ("missed", _("Missed"))]
# Each sort's key is one of ``selectors.INCIDENT_ORDERS``.
SORT_CHOICES = [
    ("", _("Number")),
    ("-opened", _("Opened, newest first")),
    ("opened", _("Opened, oldest first")),
    ("-resolution", _("Resolution time, longest first")),
    ("resolution", _("Resolution time, shortest first")),
    ("-handoffs", _("Hand-offs, most first")),
    ("handoffs", _("Hand-offs, fewest first")),
]


class IncidentFilterForm(Form):
    """Which incidents the history page lists, and in what order.

    ``choices`` maps state, priority, group, category and assignee to the values the
    organization's own incidents hold (``selectors.incident_filter_choices``);
    any other value is refused.
    """

    state = forms.ChoiceField(label=_("State"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    assignment_group = forms.ChoiceField(label=_("Group"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    assigned_to = forms.ChoiceField(label=_("Assignee"), required=False)
    sla = forms.ChoiceField(label=_("SLA"), choices=SLA_CHOICES, required=False)
    opened_from = forms.DateField(
        label=_("Opened from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_to = forms.DateField(
        label=_("Opened to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, data=None, *, choices):
        super().__init__(data)
        for name, values in choices.items():
            self.fields[name].choices = [("", _("Any")), *((v, v) for v in values)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _(
                    "The first day, %(start)s, is after the last, %(end)s. "
                    "Swap them or clear one."
                ),
                code="opened_range",
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
        return cleaned

    def active(self):
        """Return how many filters the valid form sets, the sort left out."""
        return sum(
            1 for name, value in self.cleaned_data.items() if value and name != "sort"
        )
