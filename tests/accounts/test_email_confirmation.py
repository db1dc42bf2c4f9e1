"""The confirmation link does what "Check your email" says, in any browser."""

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def _main(response):
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _sign_up(client, email):
    # A distinct address for each test: allauth mails one confirmation per
    # address in three minutes, counted in the cache the tests share.
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "organization_name": "Pia's Desk",
        },
        follow=True,
    )


def _mailed_link():
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path


def test_check_your_email_says_where_the_link_logs_in(client, settings):
    settings.ACCOUNT_LOGIN_TIMEOUT = 15 * 60

    response = _sign_up(client, "pia@example.test")

    main = _main(response)
    assert response.redirect_chain == [("/accounts/confirm-email/", HTTPStatus.FOUND)]
    assert "<h1>Check your email</h1>" in main
    assert "<p>We sent you a link to confirm your email address.</p>" in main
    assert (
        "<p>Open it in this browser within 15 minutes and it logs you in as "
        "well. Opened later, or on another device or browser, it confirms your "
        "address, and you log in there with your email and password.</p>" in main
    )


def test_confirming_in_another_browser_ends_on_log_in(client):
    _sign_up(client, "quinn@example.test")
    other = Client()

    asked = other.get(_mailed_link())
    confirmed = other.post(_mailed_link(), follow=True)

    assert "Confirm that quinn@example.test is your address." in _main(asked)
    assert confirmed.redirect_chain == [("/accounts/login/", HTTPStatus.FOUND)]
    main = _main(confirmed)
    assert (
        '<li class="message success">Your email address quinn@example.test is '
        "confirmed.</li>" in main
    )
    assert "<h1>Log in</h1>" in main
    assert other.get("/dashboard/").status_code == HTTPStatus.FOUND
    logged_in = other.post(
        "/accounts/login/",
        {"login": "quinn@example.test", "password": factories.PASSWORD},
    )
    assert logged_in["Location"] == "/dashboard/"
    assert other.get("/dashboard/").status_code == HTTPStatus.OK


def test_confirming_in_the_same_browser_too_late_ends_on_log_in(client, settings):
    _sign_up(client, "rae@example.test")
    # Every log-in started before now is past its time.
    settings.ACCOUNT_LOGIN_TIMEOUT = 0

    confirmed = client.post(_mailed_link(), follow=True)

    assert confirmed.redirect_chain == [("/accounts/login/", HTTPStatus.FOUND)]
    assert "Your email address rae@example.test is confirmed." in _main(confirmed)
    assert client.get("/dashboard/").status_code == HTTPStatus.FOUND


def test_used_confirmation_link_leads_to_log_in(client):
    _sign_up(client, "sol@example.test")
    client.post(_mailed_link())
    other = Client()

    response = other.get(_mailed_link())

    assert response.status_code == HTTPStatus.OK
    assert (
        "This confirmation link has expired, or it was used already. "
        '<a href="/accounts/login/">Log in</a>: with your address confirmed, '
        "that is all it takes; if it is not, we email you a new link."
    ) in _main(response)
