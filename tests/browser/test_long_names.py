"""A long name without spaces wraps rather than widen the page: in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import Role
from apps.accounts.services import api_token_create
from apps.recordings.models import Recording
from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build, incidents_import
from apps.sharing.services import share_link_create
from apps.workflows.models import SystemRule, Workflow
from tests import factories
from tests.browser.conftest import log_in, wait_until
from tests.conftest import session_worker_idle
from tests.sharing.helpers import workflow_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HISTORY = Path(settings.BASE_DIR, "apps/reports/samples/servicenow-incident-log.csv")
# As long as the forms allow, and never a space to break at.
LONG = "Q" * 100
PAGES = [
    "/settings/tokens/",
    "/settings/share-links/",
    "/settings/members/",
    "/workflows/systems/",
    "/workflows/",
    "/dashboard/",
    "/recordings/",
    "/recordings/{recording}/",
    "/workflows/{workflow}/",
    "/workflows/{workflow}/versions/",
]
# Whether the page, or any box of it that scrolls sideways, is wider than shown.
OVERFLOW = """() => [document.documentElement, ...document.querySelectorAll('.table-scroll')]
  .filter((box) => box.scrollWidth > box.clientWidth)
  .map((box) => `${box.className || box.tagName}: ${box.scrollWidth} > ${box.clientWidth}`)"""


def _organization_of_long_names():
    organization, owner = factories.organization_with_owner(name="Acme IT")
    owner.name = LONG
    owner.save()
    membership = organization.memberships.get(user=owner)
    colleague = factories.member_add(organization=organization, role=Role.MEMBER)
    colleague.name = LONG.lower()
    colleague.save()
    api_token_create(membership=membership, name=LONG)
    workflow = workflow_in(organization, title=LONG)
    share_link_create(membership=membership, workflow=workflow, label=LONG)
    Recording.objects.create(organization=organization, title=LONG)
    SystemRule.objects.create(
        organization=organization, host_pattern=f"{'h' * 60}.example", name=LONG[:80]
    )
    return owner


@pytest.mark.parametrize("path", PAGES)
def test_long_names_keep_the_page_within_1280_px(context, page, live_server, path):
    log_in(context, _organization_of_long_names(), live_server)

    page.goto(
        path.format(
            recording=Recording.objects.get(title=LONG).pk,
            workflow=Workflow.objects.get(title=LONG).pk,
        )
    )
    wait_until(page, "() => document.fonts.status === 'loaded'")

    assert page.viewport_size["width"] == 1280
    assert LONG in page.content()
    assert page.evaluate(OVERFLOW) == []


def _organization_of_a_long_group_name():
    organization, owner = factories.organization_with_owner(
        name="Acme IT", plan=factories.plan_with_incident_history()
    )
    history = HISTORY.read_text("utf-8").replace("Group 56", LONG)
    incidents_import(organization=organization, text=history)
    # The history page reloads itself while the queued build runs.
    session_worker_idle()
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    return owner


@pytest.mark.parametrize(
    "path", ["/incidents/", "/incidents/INC0000045/", f"/incidents/?q={LONG}"]
)
def test_a_long_imported_name_keeps_the_history_within_1280_px(
    context, page, live_server, path
):
    log_in(context, _organization_of_a_long_group_name(), live_server)

    page.goto(path)
    wait_until(page, "() => document.fonts.status === 'loaded'")

    assert LONG in page.content()
    assert page.evaluate(OVERFLOW) == []
