"""Form pieces more than one app's forms use."""

from django import forms
from django.utils.translation import gettext as _

from .sizes import size_exact


class NoLabelSuffix:
    """Write labels with nothing after them: "Email address", not "…:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(NoLabelSuffix, forms.Form):
    """The base of every form of ours, so that all label alike."""


def check_upload_size(upload, limit):
    """Refuse an uploaded file over ``limit`` bytes, naming both sizes."""
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": size_exact(upload.size), "limit": size_exact(limit)},
        )
    return upload
