from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from apps.recordings import format as recording_format


class RecordingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Recording file"),
        help_text=_("A JSON document in the Ledgerium recording format, version 1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = recording_format.MAX_DOCUMENT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                },
            )
        return upload
