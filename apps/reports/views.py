import time
from http import HTTPStatus

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts.decorators import membership_required
from apps.core.errors import ApplicationError

from . import selectors, services
from .exports import step_timings_csv, traces_xes
from .forms import IncidentFilterForm, IncidentImportForm, SuggestForm
from .rendering import history_pdf

INCIDENTS_PER_PAGE = 50


def _download(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored_report_or_error(organization):
    reported = selectors.incident_import_reported(
        organization=organization, with_report=True
    )
    if reported is None:
        raise ApplicationError(
            _("The incident history report is not built yet. Try again shortly."),
            code="incident_report_not_ready",
            status=HTTPStatus.CONFLICT,
        )
    return reported


def _report_view(reported, organization):
    if reported is None:
        return {}
    as_of = selectors.incident_history_as_of(organization=organization)
    now_ms = round(time.time() * 1000)
    if as_of is not None:
        now_ms = min(now_ms, round(as_of.timestamp() * 1000))
    stalled = selectors.incident_stalled(
        organization=organization,
        typical_gap_ms=reported.update_gap_ms,
        now_ms=now_ms,
    )
    return {"summary": reported.summary, "stalled": stalled, "as_of": as_of}


def _incident_page(request, organization):
    """Return the filter form and the page of incidents it lists.

    Filters that do not validate list nothing: the page says what is wrong
    instead of listing incidents the filters did not ask for.
    """
    choices = selectors.incident_filter_choices(organization=organization)
    form = IncidentFilterForm(request.GET, choices=choices)
    incidents = selectors.incident_list(organization=organization).none()
    if form.is_valid():
        incidents = selectors.incident_search(
            organization=organization, filters=form.cleaned_data
        )
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return form, page


@membership_required
def incident_history(request):
    organization = request.organization
    reported = selectors.incident_import_reported(organization=organization)
    services.incident_report_refresh(incident_import=reported)
    form, page = _incident_page(request, organization)
    return render(
        request,
        "reports/incident_history.html",
        {
            "latest_import": selectors.incident_import_latest(
                organization=organization
            ),
            "reported_import": reported,
            "import_form": IncidentImportForm(),
            "import_allowed": organization.plan.incident_history,
            "has_incidents": selectors.incident_list(
                organization=organization
            ).exists(),
            "filter_form": form,
            "page": page,
            **_report_view(reported, organization),
        },
        status=HTTPStatus.OK if form.is_valid() else HTTPStatus.BAD_REQUEST,
    )


@require_POST
@membership_required(edit=True)
def incident_history_import(request):
    """Import an audit export uploaded from the history page."""
    # The plan is checked first, so that its refusal is what a person on a
    # plan without the import hears, whatever the file.
    try:
        services.incidents_import_check_plan(organization=request.organization)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("incident_history")
    form = IncidentImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors["file"]:
            messages.error(request, error)
        return redirect("incident_history")
    try:
        created, replaced, rows = services.incidents_import(
            organization=request.organization, text=form.cleaned_data["file"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("incident_history")
    incidents = created + replaced
    counted = {
        "incidents": ngettext("%(n)s incident", "%(n)s incidents", incidents)
        % {"n": intcomma(incidents)},
        "rows": ngettext("%(n)s row", "%(n)s rows", rows) % {"n": intcomma(rows)},
        "created": intcomma(created),
        "replaced": intcomma(replaced),
    }
    messages.success(
        request,
        _(
            "Imported %(incidents)s from %(rows)s: %(created)s new, %(replaced)s "
            "replaced. The report is being built."
        )
        % counted,
    )
    return redirect("incident_history")


@membership_required
def incident_suggest(request):
    organization = request.organization
    known = selectors.incident_suggest_choices(organization=organization)
    form = SuggestForm(request.GET or None, known=known)
    suggestions, unmatched = None, []
    if form.is_valid():
        suggestions = selectors.incident_suggestions(
            organization=organization, target=form.cleaned_data
        )
        unmatched = form.facts(suggestions["unmatched"])
    return render(
        request,
        "reports/incident_suggest.html",
        {"form": form, "suggestions": suggestions, "unmatched": unmatched},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


@membership_required
def incident_detail(request, number):
    organization = request.organization
    incident = selectors.incident_get(organization=organization, number=number)
    target = {"number": incident.number, **selectors.similarity_fields(incident)}
    return render(
        request,
        "reports/incident_detail.html",
        {
            "incident": incident,
            "updates": incident.updates.all(),
            "suggestions": selectors.incident_suggestions(
                organization=organization, target=target
            ),
        },
    )


@membership_required
def incident_history_pdf(request):
    organization = request.organization
    reported = _stored_report_or_error(organization)
    title = _("Incident history of %(organization)s") % {
        "organization": organization.name
    }
    pdf = history_pdf(
        selectors.stored_report(reported),
        title=title,
        history=_report_view(reported, organization),
        base_url=request.build_absolute_uri("/"),
    )
    return _download(
        pdf,
        content_type="application/pdf",
        filename="incident-history.pdf",
    )


@membership_required
def incident_history_csv(request):
    traces = selectors.incident_traces(organization=request.organization)
    return _download(
        step_timings_csv(traces, imported=True),
        content_type="text/csv; charset=utf-8",
        filename="incident-step-timings.csv",
    )


@membership_required
def incident_history_xes(request):
    traces = selectors.incident_traces(organization=request.organization)
    return _download(
        traces_xes(traces),
        content_type="application/xml; charset=utf-8",
        filename="incident-history.xes",
    )


@membership_required
def incident_history_json(request):
    reported = _stored_report_or_error(request.organization)
    return HttpResponse(reported.report, content_type="application/json")
