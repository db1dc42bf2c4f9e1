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
