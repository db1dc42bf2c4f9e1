from django import forms
from django.utils.translation import gettext_lazy as _


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
