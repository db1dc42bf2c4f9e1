from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, check_upload_size
from apps.recordings import format as recording_format


class RecordingUploadForm(Form):
    file = forms.FileField(
        label=_("Recording file"),
        help_text=_("A JSON document in the Ledgerium recording format, version 1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        return check_upload_size(
            self.cleaned_data["file"], recording_format.MAX_DOCUMENT_BYTES
        )


class RecordingFilterForm(Form):
    """The recordings page's filter: a GET form, so that a filtered list has
    its own address. Its values are the keys of ``selectors.RECORDING_FILTERS``."""

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All recordings")),
            ("without_workflow", _("Without a workflow")),
            ("not_finished", _("Not finished")),
        ],
    )
