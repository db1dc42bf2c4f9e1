from http import HTTPStatus

from allauth.account.views import SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.confirm import confirm_page, is_confirmed
from apps.core.errors import ApplicationError
from apps.core.http import number_from
from apps.core.middleware import ORGANIZATION_SESSION_KEY
from apps.core.selectors import get_scoped_or_404
from apps.core.shown_once import ShownOnce

from . import selectors, services
from .decorators import membership_required
from .forms import ApiTokenForm, InvitationForm, ProfileForm, RoleForm
from .models import ApiToken, Invitation, Membership, Organization, Role
from .people import name_with_email

# Raw secrets of tokens just made, until their page shows them.
CREATED_TOKENS = ShownOnce("api_tokens_created")


@require_POST
@login_required
def organization_switch(request):
    chosen = number_from(request.POST.get("organization", ""))
    membership = None
    if chosen is not None:
        membership = (
            selectors.membership_list(user=request.user)
            .filter(organization_id=chosen)
            .first()
        )
    if membership is not None:
        request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
    return redirect("dashboard")


@login_required
def organization_new(request):
    name = request.POST.get("name", "").strip()
    error = None
    if request.method == "POST":
        error = _organization_name_error(name)
        if error is None:
            organization = services.organization_create(name=name, owner=request.user)
            request.session[ORGANIZATION_SESSION_KEY] = organization.id
            return redirect("dashboard")
    return render(
        request,
        "accounts/organization_new.html",
        {"name": name, "error": error},
        status=200 if error is None else 400,
    )


def _organization_name_error(name):
    if not name:
        return _("Give the organization a name.")
    limit = Organization._meta.get_field("name").max_length
    if len(name) > limit:
        return _("The name is %(length)s characters; the limit is %(limit)s.") % {
            "length": len(name),
            "limit": limit,
        }
    if any(char < " " for char in name):
        return _("The name cannot hold control characters.")
    return None


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, initial={"name": request.user.name})
    if request.method == "POST" and form.is_valid():
        services.user_name_set(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@membership_required
def member_list(request):
    roles = request.membership.assignable_roles
    return _members_page(request, InvitationForm(roles=roles))


def _members_page(request, invitation_form, status=200):
    organization = request.organization
    if invitation_form.errors:
        # The form sits below the members; a refused invitation brings the
        # person to the field at fault rather than to the top of the page.
        field = next(iter(invitation_form.errors), None)
        field = field if field in invitation_form.fields else "email"
        invitation_form.fields[field].widget.attrs["autofocus"] = True
    members = list(selectors.member_list(organization=organization))
    return render(
        request,
        "accounts/members.html",
        {
            "members": members,
            "sole_owner": _sole_owner(members),
            "invitations": selectors.invitation_pending_list(organization=organization),
            "invitation_form": invitation_form,
            "role_form": RoleForm(roles=request.membership.assignable_roles),
        },
        status=status,
    )


def _sole_owner(members):
    """Return the only owner, whose removal is refused; None if there are more."""
    owners = [member for member in members if member.role == Role.OWNER]
    return owners[0] if len(owners) == 1 else None


@require_POST
@membership_required(manage=True)
def invitation_create(request):
    form = InvitationForm(request.POST, roles=request.membership.assignable_roles)
    if not form.is_valid():
        return _members_page(request, form, status=400)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    try:
        invitation, _raw, resent = services.invitation_create(
            membership=request.membership, email=email, role=role, request=request
        )
    except ApplicationError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return _members_page(request, form, status=error.status)
    messages.success(request, _invitation_sent_text(invitation, resent))
    return redirect("member_list")


def _invitation_sent_text(invitation, resent):
    if resent:
        return _(
            "Invitation sent again to %(email)s, as %(role)s. Every link mailed "
            "for it works until %(expires)s."
        ) % {
            "email": invitation.email,
            "role": invitation.get_role_display(),
            "expires": date_format(invitation.expires_at, "DATE_FORMAT"),
        }
    return _("Invitation sent to %(email)s.") % {"email": invitation.email}


@require_POST
@membership_required(manage=True)
def invitation_revoke(request, invitation_id):
    invitation = get_scoped_or_404(
        Invitation, organization=request.organization, pk=invitation_id
    )
    services.invitation_revoke(membership=request.membership, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("member_list")


def invitation_accept(request, token):
    invitation = services.invitation_for_token(token=token)
    if not request.user.is_authenticated:
        request.session["invitation_token"] = token
        return render(
            request,
            "accounts/invitation_login.html",
            {"invitation": invitation, "token": token},
        )
    if request.method == "POST":
        membership = services.invitation_accept(token=token, user=request.user)
        request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
        messages.success(
            request,
            _("You joined %(organization)s.")
            % {"organization": membership.organization},
        )
        return redirect("dashboard")
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation}
    )


class InvitationSignupView(SignupView):
    """Sign up to accept an invitation, without naming an organization."""

    def dispatch(self, request, *args, token, **kwargs):
        self.invitation = services.invitation_for_token(token=token)
        self.success_url = reverse("dashboard")
        request.session["invitation_token"] = token
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invitation": self.invitation}

    def get_initial(self):
        return {**super().get_initial(), "email": self.invitation.email}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}


invitation_signup = InvitationSignupView.as_view()


@require_POST
@membership_required(manage=True)
def membership_update(request, membership_id):
    target = get_scoped_or_404(
        Membership, organization=request.organization, pk=membership_id
    )
    removing = request.POST.get("action") == "remove"
    if removing and not is_confirmed(request):
        return _membership_remove_confirm(request, target)
    try:
        if removing:
            _membership_remove(request, target)
        else:
            _membership_set_role(request, target)
    except ApplicationError as error:
        # Shown on the members page, where the person can act on it.
        messages.error(request, error.message)
    return redirect("member_list")


def _membership_remove(request, target):
    services.membership_remove(membership=request.membership, target=target)
    messages.success(
        request, _("%(name)s was removed.") % {"name": name_with_email(target.user)}
    )


def _membership_set_role(request, target):
    form = RoleForm(request.POST, roles=request.membership.assignable_roles)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return
    services.membership_set_role(
        membership=request.membership, target=target, role=form.cleaned_data["role"]
    )
    messages.success(request, _("Role updated."))


def _membership_remove_confirm(request, target):
    question = _(
        "Remove %(name)s from %(organization)s? They lose access at once, and "
        "their API tokens are revoked."
    ) % {
        "name": name_with_email(target.user),
        "organization": request.organization,
    }
    return confirm_page(
        request,
        question=question,
        button=_("Remove"),
        cancel_url=reverse("member_list"),
    )


@membership_required(edit=True)
def api_token_list(request):
    form = ApiTokenForm(request.POST or None)
    if request.method != "POST":
        return _api_token_page(request, form)
    if not form.is_valid():
        return _api_token_page(request, form, status=HTTPStatus.BAD_REQUEST)

    token, raw = services.api_token_create(
        membership=request.membership, name=form.cleaned_data["name"]
    )
    CREATED_TOKENS.keep(request, token.pk, raw)
    return redirect("api_token_created", token_id=token.pk)


def _api_token_page(request, form, status=HTTPStatus.OK):
    context = {
        "tokens": selectors.api_token_list(membership=request.membership),
        "old_connect_count": selectors.api_token_old_connect_count(
            organization=request.organization, user=request.user
        ),
        "form": form,
    }
    return render(request, "accounts/api_tokens.html", context, status=status)


@never_cache
@membership_required(edit=True)
def api_token_created(request, token_id):
    """Show a new token's secret, once; later visits go to the list."""
    token = get_scoped_or_404(ApiToken, organization=request.organization, pk=token_id)
    raw = CREATED_TOKENS.take(request, token.pk)
    if raw is None:
        messages.info(
            request,
            _(
                "A token is shown only once, when it is made. If it was not "
                "copied, revoke it and create another."
            ),
        )
        return redirect("api_token_list")
    if not token.is_active:
        # Revoked, say from another tab, before this page showed it.
        messages.info(request, _("This token was revoked, so it is not shown."))
        return redirect("api_token_list")

    context = {"token": token, "raw_token": raw}
    return render(request, "accounts/api_token_created.html", context)


@require_POST
@membership_required
def api_token_revoke(request, token_id):
    """Revoke a token: any role its own, owners and admins anyone's."""
    token = selectors.api_token_get(membership=request.membership, token_id=token_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            question=_(
                "Revoke the token %(name)s? Whatever uses it stops working at once."
            )
            % {"name": token.name},
            button=_("Revoke"),
            cancel_url=reverse("api_token_list"),
        )
    if services.api_token_revoke(membership=request.membership, token=token):
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    else:
        messages.info(
            request, _("Token %(name)s was already revoked.") % {"name": token.name}
        )
    return redirect("api_token_list")


@require_POST
@membership_required
def api_token_revoke_old_connect(request):
    if not is_confirmed(request):
        return confirm_page(
            request,
            question=_(
                "Revoke your older extension tokens? The extension keeps working "
                "with your newest one."
            ),
            button=_("Revoke older extension tokens"),
            cancel_url=reverse("api_token_list"),
        )
    count = services.api_token_revoke_old_connect(membership=request.membership)
    messages.success(
        request,
        ngettext(
            "%(count)s older extension token revoked.",
            "%(count)s older extension tokens revoked.",
            count,
        )
        % {"count": count},
    )
    return redirect("api_token_list")
