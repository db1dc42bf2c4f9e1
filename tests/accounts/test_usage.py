from datetime import UTC, date, datetime

import pytest

from apps.accounts.models import MonthlyUsage
from apps.accounts.selectors import usage_current
from apps.accounts.services import usage_reserve_workflow
from apps.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_usage_counts_up_to_the_free_limit_then_refuses(organization):
    for _ in range(5):
        usage_reserve_workflow(organization=organization)

    with pytest.raises(ApplicationError) as refused:
        usage_reserve_workflow(organization=organization)

    assert refused.value.code == "quota_exceeded"
    assert "5 of 5" in refused.value.message
    assert usage_current(organization=organization)[0] == 5


def test_usage_month_follows_the_organization_timezone(organization):
    organization.timezone = "Pacific/Auckland"
    organization.save()
    # 20:00 UTC on 31 January is already 1 February in Auckland.
    usage_reserve_workflow(
        organization=organization, now=datetime(2026, 1, 31, 20, tzinfo=UTC)
    )

    row = MonthlyUsage.objects.get(organization=organization)
    assert row.month == date(2026, 2, 1)
    _used, _limit, resets_on = usage_current(
        organization=organization, now=datetime(2026, 1, 31, 20, tzinfo=UTC)
    )
    assert resets_on == date(2026, 3, 1)


def test_staff_override_lifts_the_limit_at_once(organization):
    for _ in range(5):
        usage_reserve_workflow(organization=organization)
    organization.workflow_limit_override = 6
    organization.save()

    usage_reserve_workflow(organization=organization)

    assert usage_current(organization=organization)[:2] == (6, 6)
