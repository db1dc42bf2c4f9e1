from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from apps.recordings import format as recording_format


def size_text(size):
    """Return ``size`` in bytes for people: "32 MB" for a whole number of MB."""
    megabytes, rest = divmod(size, 1024 * 1024)
    if megabytes and not rest:
        return _("%(count)s MB") % {"count": megabytes}
    return filesizeformat(size)


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
                    "limit": size_text(limit),
                },
            )
        return upload
