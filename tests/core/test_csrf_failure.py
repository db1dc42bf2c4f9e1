"""A form refused by the CSRF check says why in the site's layout."""

from http import HTTPStatus

import pytest
from django.test import Client

from apps.sharing import services
from tests.sharing.helpers import workflow_in

pytestmark = pytest.mark.django_db

EXPIRED = (
    "<p>This form was opened before something changed, such as signing in or "
    "out in another tab, so it could not be sent. Nothing was changed.</p>"
)


def test_csrf_failure_explains_the_expired_form_in_the_layout(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(
        "/organizations/switch/",
        {"organization": "1"},
        HTTP_REFERER="http://testserver/dashboard/",
    )

    page = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "<title>This form has expired · Ledgerium</title>" in page
    assert EXPIRED in page
    assert '<a href="http://testserver/dashboard/">Go back</a>' in page
    assert '<a href="/dashboard/">Dashboard</a>' in page
    assert "CSRF" not in page


def test_csrf_failure_on_a_shared_page_keeps_it_private(organization):
    link, raw = services.share_link_create(
        membership=organization.memberships.get(role="owner"),
        workflow=workflow_in(organization),
        password="open sesame 42",
    )
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/s/{raw}/", {"password": "open sesame 42"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert EXPIRED in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_failure_asked_for_as_json_answers_the_apis_error(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(
        "/organizations/switch/", {"organization": "1"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "csrf_failed"
