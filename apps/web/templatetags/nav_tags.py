"""The top bar's marks: the page shown, and the section it is under.

templates/base.html names each of its links by the URL name of the page it
opens. That link is marked aria-current="page" on its own page, and
aria-current="true" on every page of its section below, so that a reader
deep in a workflow still sees that they are in Workflows.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# The routes under each link of the top bar, by URL name, the link's own page
# left out; the profile's link is itself a page under Settings. A route that
# answers a form's post (with a confirmation, or the form and its errors) or
# a download is under its page's section too, as the error page it may
# answer with is.
SECTIONS = {
    "dashboard": frozenset({"dashboard_status"}),
    "recording_list": frozenset(
        {
            "recording_detail",
            "recording_status",
            "recording_finish",
            "recording_delete",
        }
    ),
    "workflow_list": frozenset(
        {
            "workflow_generate",
            "workflow_detail",
            "workflow_edit",
            "workflow_regenerate",
            "workflow_retry",
            "workflow_delete",
            "workflow_versions",
            "workflow_restore",
            "workflow_compare",
            "workflow_download",
            "workflow_report_pdf",
            "workflow_timings_csv",
            "workflow_runs_xes",
            "workflow_evidence",
            "workflow_set_reference",
            # Sharing starts from a workflow: its Share button, or the list's.
            "share_link_new",
            "share_link_created",
        }
    ),
    "incident_history": frozenset(
        {
            "incident_history_pdf",
            "incident_history_csv",
            "incident_history_xes",
            "incident_history_json",
            "incident_import",
            "incident_suggest",
            "incident_detail",
        }
    ),
    "recording_upload": frozenset(),
    "search": frozenset(),
    "extension": frozenset({"extension_download", "extension_connect"}),
    # The pages of templates/accounts/_settings_nav.html and their forms.
    "member_list": frozenset(
        {
            "membership_update",
            "invitation_create",
            "invitation_revoke",
            "api_token_list",
            "api_token_created",
            "api_token_revoke",
            "api_token_revoke_old_connect",
            "share_link_list",
            "share_link_revoke",
            "share_link_revoke_all",
            "system_rule_list",
            "system_rule_delete",
            "plan_usage",
            "profile",
        }
    ),
}

PAGE = mark_safe(' aria-current="page"')
SECTION = mark_safe(' aria-current="true"')


@register.simple_tag(takes_context=True)
def nav_current(context, url_name):
    """Return the aria-current attribute of the top bar's link to ``url_name``."""
    match = getattr(context.get("request"), "resolver_match", None)
    shown = match.url_name if match else None
    if shown == url_name:
        return PAGE
    if shown in SECTIONS.get(url_name, ()):
        return SECTION
    return ""
