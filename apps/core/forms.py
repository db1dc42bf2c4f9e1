"""Form pieces more than one app's forms use."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class NoLabelSuffix:
    """Write labels with nothing after them: "Email address", not "…:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(NoLabelSuffix, forms.Form):
    """The base of every form of ours, so that all label alike."""


def size_text(size):
    """Return ``size`` in bytes for people: "32 MB" for a whole number of MB."""
    megabytes, rest = divmod(size, 1024 * 1024)
    if megabytes and not rest:
        return _("%(count)s MB") % {"count": megabytes}
    return filesizeformat(size)


def check_upload_size(upload, limit):
    """Refuse an uploaded file over ``limit`` bytes, naming both sizes."""
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": size_text(limit)},
        )
    return upload
