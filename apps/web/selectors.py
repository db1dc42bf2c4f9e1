"""Reads behind the web pages that are not any one app's data."""

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string

from apps.accounts.models import Plan
from apps.accounts.selectors import usage_current
from apps.recordings.selectors import (
    recording_events,
    recording_get,
    recording_list,
    recording_missing,
)
from apps.workflows.models import State
from apps.workflows.pipeline import phased_steps
from apps.workflows.selectors import run_for_recording, system_rules, workflow_list
from apps.workflows.sop import format_duration


def plan_list():
    return Plan.objects.all()


def usage_summary(*, organization, now=None):
    """Return this month's usage as a dict a template or JSON can show."""
    used, limit, resets_on = usage_current(organization=organization, now=now)
    percent = None
    if limit is not None:
        percent = 100 if limit == 0 else min(100, round(100 * used / limit))
    return {
        "used": used,
        "limit": limit,
        "left": None if limit is None else max(0, limit - used),
        "percent": percent,
        "resets_on": resets_on.isoformat(),
        "resets_on_date": resets_on,
        "plan": organization.plan.name,
        "overridden": organization.workflow_limit_override is not None,
    }


def extension_package():
    """Return the path of the built extension zip, or None when not built."""
    path = settings.BASE_DIR / "dist" / "ledgerium-extension.zip"
    return path if path.is_file() else None


def recent_recordings(*, organization, limit=8):
    return recording_list(organization=organization)[:limit]


BUSY_STATES = {State.QUEUED, State.RUNNING}


def recent_workflows(*, organization, limit=8):
    return list(workflow_list(organization=organization)[:limit])


def workflow_status(workflow):
    """Return what the dashboard shows of one workflow, as JSON-ready data."""
    return {
        "key": f"workflow:{workflow.pk}",
        "state": workflow.state,
        "state_label": str(workflow.get_state_display()),
        "progress": workflow.progress,
        "busy": workflow.state in BUSY_STATES,
        "url": workflow.get_absolute_url(),
    }


def dashboard_status(*, organization):
    items = [
        workflow_status(workflow)
        for workflow in recent_workflows(organization=organization)
    ]
    usage = usage_summary(organization=organization)
    usage_html = render_to_string("web/_usage.html", {"usage": usage})
    usage.pop("resets_on_date")
    return {
        "usage": usage,
        "usage_html": usage_html,
        "items": items,
        "busy": any(item["busy"] for item in items),
    }


def _matching_steps(workflow, query):
    folded = query.casefold()
    steps = workflow.current_version.steps if workflow.current_version else []
    for number, step in enumerate(steps, 1):
        if folded in (step.get("text") or "").casefold():
            yield {
                "text": step["text"],
                "workflow_title": workflow.title,
                "url": f"{workflow.get_absolute_url()}#step-{number}",
            }


def search(*, organization, query, limit=50):
    """Return the organization's workflows, SOP steps and recordings matching.

    Matching is case-insensitive on the workflow title, the text of each step
    of its current SOP version, and the recording title. The database
    narrows the workflows; the steps that match are picked out here.
    """
    # No stored text holds NUL, and PostgreSQL refuses it in a query.
    query = query.replace("\x00", "")
    if not query:
        return {"workflows": [], "steps": [], "recordings": [], "total": 0}
    workflows = (
        workflow_list(organization=organization)
        .annotate(steps_text=Cast("current_version__steps", TextField()))
        .filter(Q(title__icontains=query) | Q(steps_text__icontains=query))
    )[:limit]
    found_workflows, found_steps = [], []
    for workflow in workflows:
        if query.casefold() in workflow.title.casefold():
            found_workflows.append(
                {"title": workflow.title, "url": workflow.get_absolute_url()}
            )
        found_steps.extend(_matching_steps(workflow, query))

    recordings = recording_list(organization=organization).filter(
        title__icontains=query
    )
    found = {
        "workflows": found_workflows,
        "steps": found_steps[:limit],
        "recordings": list(recordings[:limit]),
    }
    found["total"] = sum(len(rows) for rows in found.values())
    return found


MAX_EVENTS_SHOWN = 500


def _event_rows(events):
    start = events[0].ts if events else 0
    return [
        {
            "seq": event.seq,
            "at": format_duration(event.ts - start),
            "type": event.type.value.replace("_", " "),
            "system": event.system or event.origin,
            "what": event.label or event.name or event.title or event.note,
            "value": event.value,
        }
        for event in events
    ]


def recording_overview(*, organization, recording_id):
    """Return a recording with its captured events, built steps and workflow."""
    recording = recording_get(organization=organization, recording_id=recording_id)
    events = recording_events(recording=recording)
    steps, _skipped = phased_steps(
        events,
        rules=system_rules(organization=organization),
        privacy=recording.privacy,
    )
    run = run_for_recording(organization=organization, recording=recording)
    return {
        "recording": recording,
        "events": _event_rows(events[:MAX_EVENTS_SHOWN]),
        "events_hidden": max(0, len(events) - MAX_EVENTS_SHOWN),
        "steps": steps,
        "workflow": run.workflow if run else None,
        "missing": recording_missing(recording=recording),
        "workflows": list(workflow_list(organization=organization)[:50]),
    }
