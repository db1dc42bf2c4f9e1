"""Staff apply a plan in the Django admin; the owner sees it at once."""

import pytest

from apps.accounts.models import Plan, User
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_VIEWPORT = {"width": 1280, "height": 800}


def _team_plan():
    # A transactional test before this one may have flushed the seeded plans.
    plan, _created = Plan.objects.get_or_create(
        slug="team", defaults={"name": "Team", "monthly_workflow_limit": 50}
    )
    return plan


def _staff_log_in(context, live_server):
    staff = User.objects.create_superuser(email="staff@example.test", password="x")
    log_in(context, staff, live_server)


def test_staff_plan_change_applies_at_once(browser, context, page, live_server):
    _team_plan()
    organization, owner = factories.organization_with_owner(name="Acme IT")
    _staff_log_in(context, live_server)

    page.goto(f"/staff/accounts/organization/{organization.pk}/change/")
    page.get_by_label("Plan:").select_option(label="Team")
    page.get_by_label("Workflow limit override:").fill("12")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    owner_context = browser.new_context(base_url=live_server.url)
    log_in(owner_context, owner, live_server)
    owner_page = owner_context.new_page()
    owner_page.goto("/settings/plan/")
    owner_page.get_by_role("heading", name="Team plan").wait_for()
    assert owner_page.get_by_text("0 of 12 used").is_visible()
    assert owner_page.get_by_text("set for your organization by our staff").is_visible()
    owner_context.close()


def test_staff_organization_plan_offers_no_delete_or_add(context, page, live_server):
    organization, _owner = factories.organization_with_owner(name="Acme IT")
    _staff_log_in(context, live_server)
    page.set_viewport_size(STAFF_VIEWPORT)

    page.goto(f"/staff/accounts/organization/{organization.pk}/change/")
    plan = page.locator(".field-plan")
    assert plan.get_by_label("Plan:").is_visible()
    assert plan.locator(".delete-related, .add-related, .change-related").count() == 0
    assert plan.get_by_title("Delete selected plan").count() == 0
    assert plan.get_by_title("View selected plan").is_visible()
