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
    assert "<li>Everything in Team</li>" in page
