"""An address opened with a method it does not take answers in the site's layout."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from tests import factories
from tests.tenancy import load_providers, url_fill, url_patterns

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>")
BACK = re.compile(r'<p><a href="([^"]*)">([^<]*)</a></p>')
FORM_ONLY = (
    "This address only takes a form, sent by a button on another page. Opened "
    "as a link, from a bookmark or after logging in, it has nothing to show: go "
    "back and use the button there."
)


def _post_only_paths(organization):
    token, _raw = api_token_create(
        membership=organization.memberships.get(), name="Nightly"
    )
    return [
        f"/settings/tokens/{token.pk}/revoke/",
        "/settings/tokens/revoke-old-connect/",
        "/organizations/switch/",
        "/workflows/generate/",
    ]


def _assert_form_only_page(response):
    page = response.content.decode()
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert TITLE.findall(page) == ["Only a form can use this address · Ledgerium"]
    assert "<h1>Only a form can use this address</h1>" in page
    assert FORM_ONLY in page
    assert 'class="site-header"' in page
    return page


def test_post_only_address_opened_logged_in_answers_a_page(organization, owner_client):
    for path in _post_only_paths(organization):
        response = owner_client.get(path)

        page = _assert_form_only_page(response)
        assert ">Log out</button>" in page, path
        assert BACK.findall(page) == [("/", "Back to Ledgerium")], path


def test_post_only_address_opened_logged_out_answers_a_page(organization, client):
    for path in _post_only_paths(organization):
        response = client.get(path)

        page = _assert_form_only_page(response)
        assert ">Log out</button>" not in page, path
        assert "/accounts/login/" in page, path
        assert BACK.findall(page) == [("/", "Back to Ledgerium")], path


def test_form_sent_logged_out_leads_through_log_in_to_the_page(organization, client):
    path = _post_only_paths(organization)[0]
    sent = client.post(path)
    assert sent.status_code == HTTPStatus.FOUND
    assert sent["Location"].startswith("/accounts/login/?next=")

    # Logging in sends the browser on to ``next`` with a GET.
    client.force_login(organization.memberships.get().user)
    response = client.get(path)

    _assert_form_only_page(response)


def test_post_only_address_links_back_to_the_page_it_came_from(owner_client):
    response = owner_client.get(
        "/organizations/switch/", HTTP_REFERER="http://testserver/settings/tokens/"
    )

    page = _assert_form_only_page(response)
    assert BACK.findall(page) == [
        ("http://testserver/settings/tokens/", "Back to the previous page")
    ]


def test_post_only_address_links_home_past_a_referer_of_another_site(owner_client):
    response = owner_client.get(
        "/organizations/switch/", HTTP_REFERER="https://example.com/x"
    )

    page = _assert_form_only_page(response)
    assert BACK.findall(page) == [("/", "Back to Ledgerium")]


def test_post_only_address_still_takes_its_form(organization, owner_client):
    response = owner_client.post(
        "/organizations/switch/", {"organization": organization.pk}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/dashboard/"


def test_page_address_sent_a_form_says_it_is_a_page(client):
    response = client.post("/recording-format/")
    page = response.content.decode()

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET"
    assert TITLE.findall(page) == ["Not an address for forms · Ledgerium"]
    assert "This address is a page to open, not one a form sends to." in page
    assert BACK.findall(page) == [("/", "Back to Ledgerium")]


def test_post_only_address_asked_for_json_answers_the_error_shape(owner_client):
    response = owner_client.get("/extension/connect/", HTTP_ACCEPT="application/json")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST"
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": "This address only takes a POST request, not GET.",
        }
    }


def test_api_keeps_its_json_error_for_a_method_it_does_not_take(organization):
    owner = organization.memberships.get().user
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=organization, user=owner)
    )

    response = client.get("/api/v1/workflows/1/retry/")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST, OPTIONS"
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": 'Method "GET" not allowed.'}
    }


def test_every_form_only_address_answers_the_page_logged_in_and_out(organization):
    load_providers()
    # Only the answers to a method an address does not take matter here
    # (tests/core/test_every_page.py asks every page for the rest).
    member = Client(raise_request_exception=False)
    member.force_login(organization.memberships.get().user)
    visitor = Client()

    checked, failures = 0, []
    for route, entry in url_patterns():
        path = url_fill(route, entry, organization)
        if path is None or path.startswith("/api/"):
            continue
        if member.get(path).status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            continue
        checked += 1
        for name, http in (("logged in", member), ("logged out", visitor)):
            response = http.get(path)
            if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
                failures.append(f"GET {path} {name}: {response.status_code}")
            elif FORM_ONLY not in response.content.decode():
                failures.append(f"GET {path} {name}: not the page")

    assert checked >= 15
    assert not failures, "\n".join(failures)
