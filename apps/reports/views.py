import time

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.accounts.decorators import membership_required

from . import selectors
from .exports import step_timings_csv, traces_xes
from .forms import SuggestForm
from .rendering import report_context, report_pdf

INCIDENTS_PER_PAGE = 50


def _download(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@membership_required
def incident_history(request):
    organization = request.organization
    report = selectors.incident_report(organization=organization)
    page = Paginator(
        selectors.incident_list(organization=organization), INCIDENTS_PER_PAGE
    )
    stalled = selectors.incident_stalled(
        organization=organization, now_ms=round(time.time() * 1000)
    )
    return render(
        request,
        "reports/incident_history.html",
        {
            "summary": selectors.incident_summary(organization=organization),
            "report_view": report_context(report, title=_("Incident history")),
            "page": page.get_page(request.GET.get("page")),
            "stalled": stalled,
        },
    )


@membership_required
def incident_suggest(request):
    form = SuggestForm(request.GET or None)
    suggestions = None
    if form.is_valid():
        suggestions = selectors.incident_suggestions(
            organization=request.organization, target=form.cleaned_data
        )
    return render(
        request,
        "reports/incident_suggest.html",
        {"form": form, "suggestions": suggestions},
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
    report = selectors.incident_report(organization=request.organization)
    title = _("Incident history of %(organization)s") % {
        "organization": request.organization.name
    }
    return _download(
        report_pdf(report, title=title, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
        filename="incident-history.pdf",
    )


@membership_required
def incident_history_csv(request):
    traces = selectors.incident_traces(organization=request.organization)
    return _download(
        step_timings_csv(traces),
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
    report = selectors.incident_report(organization=request.organization)
    return HttpResponse(report.to_json(), content_type="application/json")
