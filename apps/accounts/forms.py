from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

from .models import ApiToken, Role
from .people import NAME_MAX_LENGTH, name_clean


class NameField(forms.CharField):
    """A person's name, optional; cleaned before its length is checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Your name"))
        kwargs.setdefault(
            "help_text",
            _(
                "How your colleagues see you. Left blank, they see your email "
                "address up to the @."
            ),
        )
        super().__init__(
            max_length=NAME_MAX_LENGTH,
            required=False,
            error_messages={
                "max_length": _(
                    "Your name is %(show_value)d characters; "
                    "the limit is %(limit_value)d."
                )
            },
            **kwargs,
        )

    def to_python(self, value):
        return name_clean(super().to_python(value))


class SignupForm(Form):
    """Extra sign-up fields; allauth calls ``signup`` once the user exists.

    Given an ``invitation``, the form leaves out the organization name: the
    invitee joins the inviting organization instead of naming one.
    """

    name = NameField()
    organization_name = forms.CharField(
        label=_("Organization name"),
        max_length=120,
        required=False,
        help_text=_("Your team. You can invite others once you are in."),
    )

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            del self.fields["organization_name"]

    def signup(self, request, user):
        from apps.core.middleware import ORGANIZATION_SESSION_KEY

        from .adapter import INVITED_EMAIL_SESSION_KEY
        from .services import (
            invitation_accept,
            invitation_pending_for,
            organization_create,
            user_name_set,
        )

        user_name_set(user=user, name=self.cleaned_data.get("name", ""))

        # Someone signing up to accept an invitation joins that organization
        # instead of getting an empty one of their own. Signing up from the
        # invitation's own link, with the address it was sent to, proves
        # that address: they join at once.
        token = request.session.get("invitation_token")
        if invitation_pending_for(token=token, user=user):
            if self.invitation is not None:
                membership = invitation_accept(token=token, user=user)
                request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
                del request.session["invitation_token"]
                request.session[INVITED_EMAIL_SESSION_KEY] = user.email
                messages.success(
                    request,
                    _("You joined %(organization)s.")
                    % {"organization": membership.organization},
                )
            return
        name = self.cleaned_data.get("organization_name") or _("%(email)s's team") % {
            "email": user.email.split("@")[0]
        }
        organization_create(name=str(name), owner=user)


class _RolesForm(Form):
    """A form with a role among ``roles``, the choices the person may give."""

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class InvitationForm(_RolesForm):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), initial=Role.MEMBER)


class RoleForm(_RolesForm):
    role = forms.ChoiceField(label=_("Role"))


class ProfileForm(Form):
    name = NameField()


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken.NAME_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "The token name is %(show_value)d characters; "
                "the limit is %(limit_value)d."
            )
        },
        widget=forms.TextInput(attrs={"placeholder": _("e.g. ServiceNow sync")}),
    )
