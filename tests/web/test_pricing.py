from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_pricing_states_each_plan_limit_once(client):
    response = client.get("/pricing/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.count("5 workflows a month") == 1
    assert "documented workflows a month" not in page
    assert page.count("Unlimited workflows") == 1
    assert '<p class="price">$0 a month</p>' in page
    # Each plan after the first says once what it builds on.
    assert "Everything in Free, and:" in page
    assert page.count("Everything in Team") == 1


def test_only_the_plans_listing_incident_history_import_have_it(client):
    from apps.accounts.models import Plan

    page = client.get("/pricing/").content.decode()
    plans = {plan.slug: plan for plan in Plan.objects.all()}

    assert page.count("Incident-history import") == 1
    assert "Incident-history import" in plans["team"].features
    assert [plans[s].incident_history for s in ("free", "team", "business")] == [
        False,
        True,
        True,
    ]


def test_team_lists_only_what_free_lacks(client):
    from apps.accounts.models import Plan

    team = Plan.objects.get(slug="team")
    page = client.get("/pricing/").content.decode()

    assert "Aggregate reports across agents" not in page
    assert team.features[-2:] == [
        "Incident-history import",
        "Suggested severity and team, similar and stalled incidents from that history",
    ]
