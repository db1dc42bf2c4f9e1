import logging
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.decorators import membership_required
from apps.accounts.models import ApiToken, Role
from apps.accounts.selectors import manager_list
from apps.accounts.services import api_token_create
from apps.core.confirm import confirm_page, is_confirmed
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.http import server_origin
from apps.core.sizes import size_exact, size_text
from apps.recordings import format as recording_format
from apps.recordings.selectors import recording_get
from apps.recordings.services import (
    recording_discard,
    recording_finish,
    recording_import_or_find,
)

from . import search as search_text
from . import selectors
from .forms import RecordingFilterForm, RecordingUploadForm

logger = logging.getLogger(__name__)

EXTENSION_TOKEN_NAME = "Chrome extension"
# The popup's buttons as it labels them. The popup speaks English only, so
# the pages that walk the agent through it name them untranslated;
# tests/web/test_extension_steps.py holds these to extension/popup/.
POPUP_BUTTONS = {
    "connect": "Connect",
    "start": "Start recording",
    "pause": "Pause",
    "stop": "Stop",
    "finish": "Finish and generate",
}
RECORDINGS_PER_PAGE = 25


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "web/home.html", {"plans": selectors.plan_list()})


@require_GET
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to; send the SVG.
    return redirect(static("img/favicon.svg"), permanent=True)


def pricing(request):
    return render(request, "web/pricing.html", {"plans": selectors.plan_list()})


def upgrade(request):
    current = None
    if request.user.is_authenticated and request.organization:
        current = request.organization.plan
    return render(
        request,
        "web/upgrade.html",
        {
            "plans": selectors.plan_list(),
            "current_plan": current,
            "sales_email": settings.LEDGERIUM_SALES_EMAIL,
        },
    )


@membership_required
def dashboard(request):
    return render(
        request,
        "web/dashboard.html",
        {
            "usage": selectors.usage_summary(organization=request.organization),
            "recordings": selectors.recent_recordings(
                organization=request.organization
            ),
            "recording_count": selectors.recording_count(
                organization=request.organization
            ),
            "workflows": selectors.recent_workflows(organization=request.organization),
            "incident_history": selectors.incident_history_overview(
                organization=request.organization
            ),
            "popup": POPUP_BUTTONS,
        },
    )


def _status_response(status):
    response = JsonResponse(status)
    response["Cache-Control"] = "no-store"
    return response


@membership_required
@require_GET
def dashboard_status(request):
    return _status_response(
        selectors.dashboard_status(organization=request.organization)
    )


@membership_required
def plan_usage(request):
    if request.membership.role != Role.OWNER:
        raise PermissionDenied(_("Only owners see the plan and its usage."))
    return render(
        request,
        "web/plan.html",
        {
            "usage": selectors.usage_summary(organization=request.organization),
            "plans": selectors.plan_list(),
        },
    )


@membership_required
def extension(request):
    managers = []
    if not request.membership.can_edit:
        managers = manager_list(organization=request.organization)
    return render(
        request,
        "web/extension.html",
        {
            "package_ready": selectors.extension_package() is not None,
            "popup": POPUP_BUTTONS,
            "managers": managers,
        },
    )


@membership_required
@require_GET
def extension_download(request):
    path = selectors.extension_package()
    if path is None:
        raise Http404
    # The zip is small; a plain response keeps it simple to test and to serve.
    response = HttpResponse(path.read_bytes(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="ledgerium-extension.zip"'
    return response


@require_POST
@membership_required
def extension_connect(request):
    """Create a fresh API token for the extension the page has found.

    The page's script asks for JSON only once the installed extension has
    answered its ping, and passes the token on through ``window.postMessage``.
    A plain form post comes without the script, so no extension can take a
    token: it mints none and leads to the API tokens page instead. A viewer
    is refused either way, as the ingest API would refuse their recordings.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.membership.can_edit:
        refusal = PermissionDenied(
            _(
                "Viewers cannot record. Ask an owner or admin of your "
                "organization to make you a member."
            )
        )
        if wants_json:
            return JsonResponse(refusal.as_dict(), status=refusal.status)
        raise refusal
    if not wants_json:
        messages.info(
            request,
            _(
                "Connecting in one click needs scripts on the Extension page. "
                "Create a token here and paste it, with this server's address, "
                "into the extension's popup (its toolbar button)."
            ),
        )
        return redirect("api_token_list")
    try:
        _token, raw = api_token_create(
            membership=request.membership,
            name=EXTENSION_TOKEN_NAME,
            source=ApiToken.Source.CONNECT,
        )
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=error.status)

    logger.info(
        "Extension token issued", extra={"organization_id": request.organization.id}
    )
    response = JsonResponse({"server": server_origin(request), "token": raw})
    response["Cache-Control"] = "no-store"
    return response


def _search_problem(raw, terms):
    if not raw.strip():
        return _("Type a word or two from a workflow's title or steps.")
    if not terms.words:
        return _("“%(query)s” holds no words. Type letters or digits.") % {
            "query": raw.strip()[: search_text.MAX_QUERY_LENGTH]
        }
    if len("".join(terms.words)) < search_text.MIN_QUERY_LENGTH:
        return _("Type at least %(count)s characters.") % {
            "count": search_text.MIN_QUERY_LENGTH
        }
    return None


@membership_required
@require_GET
def search(request):
    raw = request.GET.get("q", "")
    terms = search_text.search_terms(raw)
    problem = _search_problem(raw, terms) if "q" in request.GET else None
    results = None
    if terms.words and problem is None:
        results = selectors.search(organization=request.organization, terms=terms)
    return render(
        request,
        "web/search.html",
        {
            "query": terms.text,
            "terms": terms,
            "error": problem,
            "results": results,
            "max_length": search_text.MAX_QUERY_LENGTH,
        },
    )


def _recording_url(recording):
    try:
        return reverse("recording_detail", args=[recording.pk])
    except NoReverseMatch:
        return reverse("dashboard")


@membership_required(edit=True)
def recording_upload(request):
    """Import a whole recording file with the API's validation."""
    if not request.membership.can_edit:
        raise PermissionDenied(_("Viewers cannot upload recordings."))
    form = RecordingUploadForm(request.POST or None, request.FILES or None)
    status, detail = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            recording, created = recording_import_or_find(
                organization=request.organization,
                user=request.user,
                document=form.cleaned_data["file"].read(),
            )
        except ApplicationError as error:
            form.add_error("file", _upload_problem(error))
            status, detail = error.status, error.message
        else:
            _tell_upload_done(request, recording, created)
            return redirect(_recording_url(recording))
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "detail": detail,
        "limit": size_exact(recording_format.MAX_DOCUMENT_BYTES),
        "batch_limit": size_text(recording_format.MAX_BATCH_BYTES),
    }
    return render(request, "web/upload.html", context, status=status)


# What went wrong with an uploaded file, said before the validator's detail.
_NOT_JSON = {"invalid_json", "invalid_utf8", "non_finite_number"}


def _upload_problem(error):
    if error.code in _NOT_JSON:
        return _(
            "This file is not a Ledgerium recording (it is not JSON). Choose the "
            ".json file the extension saved, or one written in the recording format."
        )
    if error.code == "too_large":
        return _("This file is too large to import.")
    if error.code == "recording_empty":
        return _(
            "This file is a recording with no events, so there is nothing to "
            "document and nothing of it was imported. Choose the file of a "
            "recording that captured its steps."
        )
    if error.code == "recording_discarded":
        return _(
            "This file is a recording that was deleted. A deleted recording "
            "cannot be imported again; record the incident anew."
        )
    if error.code in {"recording_id_taken", "recording_conflict"}:
        return _(
            "This file's recording id is taken by another recording, so nothing "
            "of it was imported."
        )
    if error.code == "invalid_event" and error.field == "value":
        return _(
            "This file holds typed text where a recording keeps only a chosen "
            "option, so nothing of it was imported."
        )
    return _(
        "This file is JSON, but not a Ledgerium recording: a field is missing or "
        "holds the wrong kind of value."
    )


def _upload_done(recording, created):
    title = recording.title or recording.pk
    if created:
        return _("Recording “%(title)s” imported.") % {"title": title}
    return _(
        "Recording “%(title)s” was already imported; this is the one you have."
    ) % {"title": title}


def _tell_upload_done(request, recording, created):
    usage = None
    if created:
        usage = selectors.quota_refusal(
            organization=request.organization, recording=recording
        )
    if usage is None:
        messages.success(request, _upload_done(recording, created))
    else:
        messages.warning(request, _quota_refused(request, recording, usage))
    if created:
        _tell_shortened(request, recording)


def _shortened_text(field):
    limit = recording_format.RECORDING_MAX_LENGTHS[field]
    if field == "title":
        return _(
            "The recording's title was longer than %(limit)s characters, so it "
            "was shortened at a word and ends in “…”."
        ) % {"limit": limit}
    return _(
        "The recording's agent was longer than %(limit)s characters, so it was "
        "shortened at a word and ends in “…”."
    ) % {"limit": limit}


def _tell_shortened(request, recording):
    for field in recording.truncated:
        messages.info(request, _shortened_text(field))


def _plans_url(request):
    # Only owners may open the plan page; everyone else compares plans.
    if request.membership.role == Role.OWNER:
        return reverse("plan_usage")
    return reverse("upgrade")


def _quota_refused(request, recording, usage):
    text = _(
        "Recording “%(title)s” is stored, but no workflow was made from it: "
        "this month's quota is used (%(used)s of %(limit)s; it resets on "
        "%(resets)s). Generate it from this page after the reset or an upgrade."
    ) % {
        "title": recording.title or recording.pk,
        "used": usage["used"],
        "limit": usage["limit"],
        "resets": date_format(usage["resets_on_date"], "DATE_FORMAT"),
    }
    return format_html(
        '{} <a href="{}">{}</a>', text, _plans_url(request), _("See plans")
    )


@membership_required
@require_GET
def recording_list(request):
    """List the organization's recordings, a page at a time, filtered.

    A filter that does not validate lists nothing: the page says what is
    wrong instead of listing recordings it did not ask for.
    """
    organization = request.organization
    form = RecordingFilterForm(request.GET)
    recordings = selectors.recording_table(organization=organization).none()
    if form.is_valid():
        recordings = selectors.recording_table(
            organization=organization, shown=form.cleaned_data["show"]
        )
    page = Paginator(recordings, RECORDINGS_PER_PAGE).get_page(request.GET.get("page"))
    usage = selectors.usage_summary(organization=organization)
    context = {
        "filter_form": form,
        "page": page,
        "rows": selectors.recording_rows(recordings=page, usage=usage),
        "usage": usage,
        "popup": POPUP_BUTTONS,
    }
    status = HTTPStatus.OK if form.is_valid() else HTTPStatus.BAD_REQUEST
    return render(request, "web/recordings.html", context, status=status)


@membership_required
def recording_detail(request, recording_id):
    overview = selectors.recording_overview(
        organization=request.organization, recording_id=recording_id
    )
    return render(request, "web/recording.html", overview)


@membership_required
@require_GET
def recording_status(request, recording_id):
    return _status_response(
        selectors.recording_status(
            organization=request.organization, recording_id=recording_id
        )
    )


@require_POST
@membership_required(edit=True)
def recording_finish_view(request, recording_id):
    """Finish a recording the extension could not finish itself."""
    recording = recording_get(
        organization=request.organization, recording_id=recording_id
    )
    accept_gaps = request.POST.get("accept_gaps") == "on"
    recording_finish(
        recording=recording,
        finish=recording_format.Finish(gaps_final=accept_gaps),
    )
    messages.success(request, _("The recording is finished."))
    return redirect("recording_detail", recording_id=recording.pk)


@require_POST
@membership_required(edit=True)
def recording_delete(request, recording_id):
    recording = recording_get(
        organization=request.organization, recording_id=recording_id
    )
    if not is_confirmed(request):
        return confirm_page(
            request,
            question=_(
                "Delete this recording, its events, its run and what was written "
                "from it? This cannot be undone."
            ),
            button=_("Delete recording"),
            cancel_url=_recording_url(recording),
        )
    recording_discard(recording=recording)
    messages.success(request, _("The recording and its events were deleted."))
    return redirect("dashboard")
