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


class SignupForm(allauth.SignupForm):
    """Allauth's sign-up, telling a mismatch even beside a refused password.

    Allauth compares the two passwords only once the first has passed its
    validators, so a too-common password that was also mistyped comes back
    to be fixed twice. An address that already has an account is never
    said here: allauth mails its owner instead, so that the page tells no
    one which addresses have accounts.

    The page sent back never holds the password, so where nothing else is
    said of it, it asks for the password again.
    """

    def clean(self):
        typed = (self.cleaned_data.get("password1"), self.cleaned_data.get("password2"))
        super().clean()
        if all(typed) and typed[0] != typed[1] and not self.has_error("password2"):
            self.add_error("password2", _("You must type the same password each time."))
        if self.errors and any(typed) and not self._password_errors():
            self.add_error(
                "password1",
                _(
                    "Type the password again, in both fields: the page does not keep it."
                ),
            )
        return self.cleaned_data

    def _password_errors(self):
        return self.has_error("password1") or self.has_error("password2")


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
