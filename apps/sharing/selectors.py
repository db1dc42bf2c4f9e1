"""Reads of share links; every one is scoped by organization or by token."""

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.selectors import get_scoped_or_404
from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.workflows.selectors import version_get, workflow_list, workflow_traces

from .models import ShareLink


def _active(queryset, now=None):
    now = now or timezone.now()
    return queryset.filter(revoked_at=None).filter(
        Q(expires_at=None) | Q(expires_at__gt=now)
    )


def share_link_active_list(*, organization, user=None):
    """Return the organization's active links; only ``user``'s when given."""
    links = _active(ShareLink.objects.for_organization(organization))
    if user is not None:
        links = links.filter(created_by=user)
    return links.select_related("workflow", "sop_version", "created_by")


def share_link_get(*, organization, share_link_id):
    return get_scoped_or_404(
        ShareLink.objects.select_related("workflow"),
        organization=organization,
        pk=share_link_id,
    )


def share_link_for_token(*, token):
    """Return the active link whose token is ``token``, or None.

    Revoked and expired links are not found: the page answers 404 the moment
    either happens.
    """
    if not token or len(token) > 100:
        return None
    return (
        _active(ShareLink.objects.all())
        .select_related("organization", "workflow", "sop_version")
        .filter(token_hash=ShareLink.hash(token))
        .first()
    )


def shareable_workflows(*, organization):
    """Return the organization's workflows that have an SOP to show."""
    return workflow_list(organization=organization).exclude(current_version=None)


def shared_content(*, link):
    """Return what a shared page shows: the current SOP, its map, the report.

    Only the document is taken from the version, never its stored HTML,
    which links each step to the organization's evidence pages.
    """
    workflow = link.workflow
    version = link.sop_version or version_get(workflow=workflow)
    if version is None:
        return {}
    content = {"sop": version.document, "mermaid": version.mermaid}
    if link.include_report:
        traces = workflow_traces(workflow=workflow)
        if traces:
            report = build_report(traces)
            content["report_html"] = render_to_string(
                "reports/_report.html",
                {"report_view": report_context(report, title=workflow.title)},
            )
    return content
