"""Allauth's own forms in our words.

Apart from ``forms.py``: allauth's forms module imports our sign-up form
from there, so subclassing allauth's forms in it would import in a circle.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """Log in with labels as the other forms write them: no colon after them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")
