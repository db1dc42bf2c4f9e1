"""Allauth's own forms in our words.

Apart from ``forms.py``: allauth's forms module imports our sign-up form
from there, so subclassing allauth's forms in it would import in a circle.
"""

from allauth.account import forms as allauth
from django.utils.translation import gettext_lazy as _

from apps.core.forms import NoLabelSuffix


class LoginForm(NoLabelSuffix, allauth.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")


class ResetPasswordForm(NoLabelSuffix, allauth.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(NoLabelSuffix, allauth.ResetPasswordKeyForm):
    LABELS = {
        "password1": _("New password"),
        "password2": _("New password (again)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
            self.fields[name].widget.attrs["placeholder"] = label
