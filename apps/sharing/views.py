import logging
from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.decorators import membership_required
from apps.core.confirm import confirm_page, is_confirmed
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.http import address_group, client_address, keep_private
from apps.core.shown_once import ShownOnce
from apps.workflows.models import State

from . import selectors, services
from .forms import ShareLinkForm, SharePasswordForm

logger = logging.getLogger(__name__)

UNLOCKED_SESSION_KEY = "share_links_unlocked"
# Raw tokens of links just made, until their page shows them.
CREATED_TOKENS = ShownOnce("share_links_created")
# Seconds before the PDF's progress page loads itself again, by build state;
# a ready PDF downloads at once, a failed one is retried a little later.
PDF_PROGRESS_REFRESH = {
    State.QUEUED: 2,
    State.RUNNING: 2,
    State.READY: 0,
    State.FAILED: 60,
}

# Asked in the list's dialogs and, without scripts, on the confirm page.
REVOKE_QUESTION = gettext_lazy("Revoke this share link? It stops opening at once.")
REVOKE_ALL_QUESTION = gettext_lazy(
    "Revoke every active share link? None of them opens anything then."
)
SHOWN_ONCE = gettext_lazy(
    "A share link’s address is shown only once, when the link is made. If it "
    "was not copied, revoke the link and create another."
)
NO_LONGER_OPENS = gettext_lazy(
    "This share link no longer opens anything, so its address is not shown."
)


# ------------------------------------------------------------------------------
# The public page: no log-in, nothing of the organization but this SOP
# ------------------------------------------------------------------------------
def _gone(request):
    return keep_private(render(request, "sharing/gone.html", status=404))


def _locked(request, link):
    """Say whether ``link`` wants a password not yet given in this session."""
    unlocked = request.session.get(UNLOCKED_SESSION_KEY, [])
    return link.has_password and link.pk not in unlocked


@never_cache
def shared(request, token):
    link = selectors.share_link_for_token(token=token)
    if link is None:
        return _gone(request)
    if _locked(request, link):
        return _password(request, link)

    services.share_link_record_view(link=link)
    context = selectors.shared_content(link=link)
    context["pdf_url"] = reverse("shared_pdf", kwargs={"token": token})
    return keep_private(render(request, "sharing/shared.html", context))


@never_cache
@require_GET
def shared_pdf(request, token):
    """Send the shared SOP as a PDF, behind the same checks as the page.

    A PDF not made yet is asked for, and the visitor waits on its progress
    page, which downloads it once it is made.
    """
    refusal, link, shared_pdf = _shared_pdf(request, token)
    if refusal is not None:
        return refusal
    if shared_pdf.state != State.READY:
        return keep_private(redirect("shared_pdf_progress", token=token))

    services.share_link_record_view(link=link)
    response = HttpResponse(bytes(shared_pdf.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{shared_pdf.filename}"'
    return keep_private(response)


@never_cache
@require_GET
def shared_pdf_progress(request, token):
    """Show how far the PDF is, refreshing itself, then start its download."""
    refusal, link, shared_pdf = _shared_pdf(request, token)
    if refusal is not None:
        return refusal
    context = {
        "shared_pdf": shared_pdf,
        "page_url": reverse("shared", kwargs={"token": token}),
        "pdf_url": reverse("shared_pdf", kwargs={"token": token}),
        "refresh_seconds": PDF_PROGRESS_REFRESH.get(shared_pdf.state),
    }
    return keep_private(render(request, "sharing/pdf_progress.html", context))


def _shared_pdf(request, token):
    """Return ``(refusal, link, shared_pdf)``: a response to send instead, or None.

    The refusal is the not-found page, or a redirect to the shared page,
    which asks for the password or says there is no SOP yet.
    """
    link = selectors.share_link_for_token(token=token)
    if link is None:
        return _gone(request), None, None
    shared_pdf = (
        None if _locked(request, link) else services.shared_pdf_request(link=link)
    )
    if shared_pdf is None:
        return keep_private(redirect("shared", token=token)), link, None
    return None, link, shared_pdf


def _password(request, link):
    unlocked = request.session.get(UNLOCKED_SESSION_KEY, [])
    form = SharePasswordForm(request.POST or None)
    status, headers = 200, {}
    if request.method == "POST" and form.is_valid():
        try:
            services.share_link_unlock(
                link=link,
                password=form.cleaned_data["password"],
                client_key=address_group(client_address(request)) or "unknown",
            )
        except ApplicationError as error:
            form.add_error("password", error.message)
            status, headers = error.status, error.headers
        else:
            request.session[UNLOCKED_SESSION_KEY] = [*unlocked, link.pk]
            return keep_private(redirect(request.path))
    response = render(request, "sharing/password.html", {"form": form}, status=status)
    for header, value in headers.items():
        response[header] = value
    return keep_private(response)


# ------------------------------------------------------------------------------
# Managing links
# ------------------------------------------------------------------------------
@membership_required(edit=True)
def share_link_new(request):
    if not request.membership.can_edit:
        raise PermissionDenied(_("Viewers cannot share workflows."))
    workflows = selectors.shareable_workflows(organization=request.organization)
    initial = {"workflow": request.GET.get("workflow", "")}
    form = ShareLinkForm(
        request.POST or None,
        workflows=workflows,
        zone=request.organization.zoneinfo,
        initial=initial,
    )
    if request.method != "POST":
        return _share_link_form(request, form)
    if not form.is_valid():
        return _share_link_form(request, form, status=HTTPStatus.BAD_REQUEST)
    try:
        link, raw = _share_link_create(request, form)
    except ApplicationError as error:
        form.add_service_error(error)
        return _share_link_form(request, form, status=error.status)

    CREATED_TOKENS.keep(request, link.pk, raw)
    return redirect("share_link_created", share_link_id=link.pk)


def _share_link_create(request, form):
    data = form.cleaned_data
    return services.share_link_create(
        membership=request.membership,
        workflow=data["workflow"],
        label=data["label"],
        include_report=data["include_report"],
        show_names=data["show_names"],
        expires_at=form.expires_at(),
        password=data["password"],
        pin_version=data["pin_version"],
    )


def _share_link_form(request, form, status=HTTPStatus.OK):
    if form.is_bound:
        form.ask_password_again()
    return render(request, "sharing/new.html", {"form": form}, status=status)


@never_cache
@membership_required(edit=True)
def share_link_created(request, share_link_id):
    """Show a new link's address, once; later visits go to the list."""
    link = selectors.share_link_get(
        organization=request.organization, share_link_id=share_link_id
    )
    raw = CREATED_TOKENS.take(request, link.pk)
    if raw is None:
        messages.info(request, SHOWN_ONCE)
        return redirect("share_link_list")
    if not link.is_active:
        # Revoked, say from another tab, before this page showed it: an
        # address that opens nothing is not worth copying.
        messages.info(request, NO_LONGER_OPENS)
        return redirect("share_link_list")

    url = request.build_absolute_uri(reverse("shared", kwargs={"token": raw}))
    return render(request, "sharing/created.html", {"link": link, "share_url": url})


@membership_required
def share_link_list(request):
    membership = request.membership
    if not membership.can_edit:
        raise PermissionDenied(_("Viewers cannot see share links."))
    user = None if membership.can_manage else request.user
    links = selectors.share_link_active_list(
        organization=request.organization, user=user
    )
    return render(
        request,
        "sharing/list.html",
        {
            "links": links,
            "revoke_question": REVOKE_QUESTION,
            "revoke_all_question": REVOKE_ALL_QUESTION,
        },
    )


@require_POST
@membership_required(edit=True)
def share_link_revoke(request, share_link_id):
    link = selectors.share_link_get(
        organization=request.organization, share_link_id=share_link_id
    )
    if not is_confirmed(request):
        return _revoke_confirm(request, REVOKE_QUESTION)
    services.share_link_revoke(membership=request.membership, link=link)
    messages.success(request, _("The link was revoked; it opens nothing now."))
    return redirect("share_link_list")


@require_POST
@membership_required(manage=True)
def share_link_revoke_all(request):
    if not is_confirmed(request):
        return _revoke_confirm(request, REVOKE_ALL_QUESTION)
    # The list shows active links only; an expired one is revoked as well,
    # and said apart, so the count matches what the page listed.
    listed = selectors.share_link_active_list(organization=request.organization).count()
    count = services.share_link_revoke_all(membership=request.membership)
    messages.success(request, _revoked_all_text(listed, count - listed))
    return redirect("share_link_list")


def _revoked_all_text(active, expired):
    said = [
        ngettext(
            "%(count)s active link revoked; it opens nothing now.",
            "%(count)s active links revoked; none of them opens anything now.",
            active,
        )
        % {"count": active}
    ]
    if expired > 0:
        said.append(
            ngettext(
                "%(count)s link that had already expired was revoked too.",
                "%(count)s links that had already expired were revoked too.",
                expired,
            )
            % {"count": expired}
        )
    return " ".join(said)


def _revoke_confirm(request, question):
    return confirm_page(
        request,
        question=question,
        button=_("Revoke"),
        cancel_url=reverse("share_link_list"),
    )
