"""Staff apply a plan in the Django admin; the owner sees it at once.

The organization list and form are checked in a 1280 px window, where the
list shares the width with the filter panel.
"""

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


def _right(box):
    return box["x"] + box["width"]


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


def test_staff_organization_list_shows_usage_beside_filters(context, page, live_server):
    Plan.objects.get_or_create(
        slug="business", defaults={"name": "Business", "monthly_workflow_limit": None}
    )
    factories.organization_with_owner(name="Acme IT")
    organization, _owner = factories.organization_with_owner(
        name="Globex Support International", plan=_team_plan()
    )
    organization.workflow_limit_override = 250
    organization.save(update_fields=["workflow_limit_override"])
    _staff_log_in(context, live_server)
    page.set_viewport_size(STAFF_VIEWPORT)

    page.goto("/staff/accounts/organization/")
    header = page.locator("#result_list th.column-usage_this_month")
    cells = page.locator("#result_list td.field-usage_this_month")
    assert header.text_content().strip() == "Usage this month"
    assert cells.count() == 2
    assert page.get_by_role("cell", name="0 / 250").is_visible()

    results = page.locator("#changelist-form .results").bounding_box()
    filters = page.locator("#changelist-filter").bounding_box()
    for column in [header, cells.first, cells.last]:
        box = column.bounding_box()
        assert box["x"] >= results["x"]
        assert _right(box) <= _right(results)
        assert _right(box) <= filters["x"]
    assert page.evaluate(
        "() => { const results = document.querySelector('#changelist-form .results');"
        " return results.scrollWidth <= results.clientWidth; }"
    )
    assert page.locator(".related-widget-wrapper .delete-related").count() == 0
    assert page.locator(".related-widget-wrapper .add-related").count() == 0


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
