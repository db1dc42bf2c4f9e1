"""Every main page: a title, no serious accessibility violation, phone width."""

import pytest

from apps.accounts.models import MonthlyUsage, Role
from apps.accounts.selectors import month_start
from apps.accounts.services import api_token_create
from apps.recordings.models import Recording
from apps.sharing.services import share_link_create
from apps.workflows.models import Run, State, Workflow
from tests import factories
from tests.browser.conftest import axe, log_in, shoot
from tests.sharing.helpers import workflow_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = {
    "landing": "/",
    "pricing": "/pricing/",
    "upgrade": "/upgrade/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "password-reset-sent": "/accounts/password/reset/done/",
    "password-reset-link-used": "/accounts/password/reset/key/1-used/",
    "password-reset-done": "/accounts/password/reset/key/done/",
    "check-email": "/accounts/confirm-email/",
    "recording-format": "/recording-format/",
}
MEMBER_PAGES = {
    "dashboard": "/dashboard/",
    "search": "/search/?q=printer",
    "extension": "/extension/",
    "upload": "/upload/",
    "plan": "/settings/plan/",
    "members": "/settings/members/",
    "profile": "/settings/profile/",
    "tokens": "/settings/tokens/",
    "share-links": "/settings/share-links/",
    "workflows": "/workflows/",
    "workflow": "{workflow}",
    "versions": "{workflow}versions/",
    "compare": "{workflow}compare/?a=1&b=1",
    "recordings": "/recordings/",
    "recording": "/recordings/{recording}/",
    "recording-generating": "/recordings/{generating}/",
    "systems": "/workflows/systems/",
    "incidents": "/incidents/",
}


def _check(page, name, path, status=200):
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    title = page.title()
    assert title and not title.startswith(" ·"), f"{path} has no title"
    assert page.locator("h1").count() == 1, f"{path} needs exactly one h1"
    violations = axe(page)
    overflow = shoot(page, name)
    assert violations == [], f"{path}: {violations}"
    assert overflow <= 0, f"{path} scrolls sideways at phone width by {overflow}px"
    # Chromium reports a page's own error status in the console as well.
    own_status = f"the server responded with a status of {status} "
    errors = [error for error in page.console_errors if own_status not in error]
    assert errors == [], f"{path}: {page.console_errors}"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_passes_axe_at_both_widths(page, name):
    _check(page, name, PUBLIC_PAGES[name])


def _generating_recording(organization):
    recording = Recording.objects.create(
        organization=organization, title="Mail queue backlog", status="finished"
    )
    workflow = Workflow.objects.create(
        organization=organization, title=recording.title, state=State.QUEUED
    )
    Run.objects.create(
        organization=organization, workflow=workflow, recording=recording
    )
    return recording


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_page_passes_axe_at_both_widths(context, page, live_server, name):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    MonthlyUsage.objects.create(
        organization=organization,
        month=month_start(organization=organization),
        workflows_created=3,
    )
    recording = Recording.objects.create(
        organization=organization, title="Printer jams"
    )
    workflow = workflow_in(organization)
    share_link_create(
        membership=organization.memberships.get(user=owner), workflow=workflow
    )
    generating = _generating_recording(organization)
    log_in(context, owner, live_server)

    path = MEMBER_PAGES[name].format(
        workflow=workflow.get_absolute_url(),
        recording=recording.pk,
        generating=generating.pk,
    )
    _check(page, name, path)


def test_viewer_tokens_page_passes_axe_at_both_widths(context, page, live_server):
    organization, _owner = factories.organization_with_owner(name="Acme IT")
    viewer = factories.member_add(organization=organization, role=Role.MEMBER)
    membership = organization.memberships.get(user=viewer)
    api_token_create(membership=membership, name="Nightly export")
    membership.role = Role.VIEWER
    membership.save()
    log_in(context, viewer, live_server)

    _check(page, "tokens-viewer", "/settings/tokens/")


@pytest.mark.parametrize("logged_in", [False, True])
def test_form_only_address_passes_axe_at_both_widths(
    context, page, live_server, logged_in
):
    if logged_in:
        _organization, owner = factories.organization_with_owner(name="Acme IT")
        log_in(context, owner, live_server)

    name = "form-only-member" if logged_in else "form-only"
    _check(page, name, "/organizations/switch/", status=405)


@pytest.mark.parametrize("state", ["empty", "to-generate"])
def test_recordings_page_passes_axe_empty_and_offering_generate(
    context, page, live_server, state
):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    if state == "to-generate":
        Recording.objects.create(
            organization=organization,
            title="Printer jams",
            agent="Tomás Ortega",
            status="finished",
            event_count=4,
        )
    log_in(context, owner, live_server)

    _check(page, f"recordings-{state}", "/recordings/")

    button = page.get_by_role("button", name="Generate the SOP of “Printer jams”")
    assert button.count() == (state == "to-generate")


def test_keyboard_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")

    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle"
    )
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert outline == "solid"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0
