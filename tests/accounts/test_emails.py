"""The emails allauth sends speak as Ledgerium and carry links that work."""

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests import factories

pytestmark = pytest.mark.django_db

FROM = "Ledgerium <noreply@ledgerium.test>"


@pytest.fixture(autouse=True)
def from_address(settings):
    settings.DEFAULT_FROM_EMAIL = FROM


def _only_mail():
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def _link_path(message):
    return urlsplit(re.search(r"https?://\S+", message.body)[0]).path


def _assert_ours(message):
    assert message.from_email == FROM
    assert message.subject.startswith("[Ledgerium] ")
    assert message.body.rstrip().endswith("Ledgerium")
    assert "example.com" not in message.body
    assert "Hello from" not in message.body


def test_signup_confirmation_mail_confirms_the_address(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "fay@example.test",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "organization_name": "Fay's Desk",
        },
    )
    message = _only_mail()

    _assert_ours(message)
    assert message.subject == "[Ledgerium] Confirm your email address to start"
    assert "Confirm your email address to start using Ledgerium:" in message.body
    assert message.to == ["fay@example.test"]
    response = client.post(_link_path(message))
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/dashboard/").status_code == HTTPStatus.OK


def test_login_before_confirming_resends_our_confirmation(client):
    factories.user_create(email="gus@example.test", verified=False)

    client.post(
        "/accounts/login/",
        {"login": "gus@example.test", "password": factories.PASSWORD},
    )
    message = _only_mail()

    _assert_ours(message)
    assert message.subject == "[Ledgerium] Confirm your email address"
    assert client.post(_link_path(message)).status_code == HTTPStatus.FOUND


def test_password_reset_mail_sets_a_new_password(client):
    factories.user_create(email="hal@example.test")

    client.post("/accounts/password/reset/", {"email": "hal@example.test"})
    message = _only_mail()

    _assert_ours(message)
    assert message.subject == "[Ledgerium] Reset your password"
    assert "Choose a new one here:" in message.body
    form = client.get(_link_path(message), follow=True)
    assert form.status_code == HTTPStatus.OK
    new_password = "a fresh password 42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == HTTPStatus.FOUND
    assert client.login(username="hal@example.test", password=new_password)


def test_password_reset_for_an_unknown_address_offers_sign_up(client):
    client.post("/accounts/password/reset/", {"email": "ivy@example.test"})
    message = _only_mail()

    _assert_ours(message)
    assert message.subject == "[Ledgerium] No Ledgerium account for this address"
    assert "ivy@example.test" in message.body
    assert _link_path(message) == "/accounts/signup/"


def test_signup_with_a_taken_address_mails_the_owner(client):
    factories.user_create(email="jo@example.test")

    client.post(
        "/accounts/signup/",
        {
            "email": "jo@example.test",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )
    message = _only_mail()

    _assert_ours(message)
    assert message.subject == "[Ledgerium] You already have an account"
    assert _link_path(message) == "/accounts/password/reset/"
