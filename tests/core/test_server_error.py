"""A server error answers a page in the site's layout, never Django's own."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import path

from ledgerium import urls as site_urls


def _fails(request):
    raise RuntimeError("the disk is full")


def _fails_and_breaks_the_layout(request):
    # The layout's header asks for the membership, which fails as well.
    request.membership = None
    request.user = _BrokenUser()
    raise RuntimeError("the disk is full")


class _BrokenUser:
    @property
    def is_authenticated(self):
        raise RuntimeError("the database is gone")


urlpatterns = [
    path("fails/", _fails),
    path("api/v1/fails/", _fails),
    path("fails-in-the-layout/", _fails_and_breaks_the_layout),
    *site_urls.urlpatterns,
]
handler404 = site_urls.handler404
handler500 = site_urls.handler500

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def test_a_server_error_answers_the_sites_page_without_the_error():
    client = Client(raise_request_exception=False)

    response = client.get("/fails/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "<title>Something went wrong on our side" in page
    assert "nothing you had saved is lost" in page
    assert 'href="/"' in page
    assert "the disk is full" not in page


def test_a_server_error_shows_a_signed_in_person_the_signed_in_header(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    response = client.get("/fails/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert '<a href="/dashboard/">Dashboard</a>' in page
    assert f"<p>Reference: <code>{response['X-Request-ID']}</code></p>" in page


def test_a_server_error_in_the_layout_answers_the_bare_page_with_its_reference():
    client = Client(raise_request_exception=False)

    response = client.get("/fails-in-the-layout/", HTTP_X_REQUEST_ID="ref-12345678")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "<title>Something went wrong on our side" in page
    assert "<p>Reference: <code>ref-12345678</code></p>" in page
    assert "Dashboard" not in page


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
def test_a_server_error_under_the_api_answers_the_apis_error(accept):
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/fails/", HTTP_ACCEPT=accept)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side. It is logged; try "
            f"again in a moment (reference {response['X-Request-ID']}).",
        }
    }


def test_a_server_error_asked_for_as_json_answers_the_apis_error():
    client = Client(raise_request_exception=False)

    response = client.get("/fails/", HTTP_ACCEPT="application/json")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.json()["error"]["code"] == "server_error"


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
def test_an_unknown_api_address_answers_the_apis_not_found(accept):
    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT=accept)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is nothing at this address. The API's addresses "
            "are listed at /api/docs/.",
        }
    }


def test_an_unknown_api_address_opened_in_a_browser_answers_the_page():
    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "<title>Not found" in response.content.decode()


def test_an_unknown_page_answers_the_sites_page():
    response = Client().get("/no-such-page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "<title>Not found" in response.content.decode()
