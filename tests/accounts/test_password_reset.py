"""Every page of the password reset speaks our words and leads back to log in."""

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests import factories

pytestmark = pytest.mark.django_db

LOG_IN = '<a href="/accounts/login/">Log in</a>'
NEW_PASSWORD = "a fresh password 42"


def _main(response):
    """Return the page's ``<main>``, where every word below the header is."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _mailed_link():
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path


def _reset_form(client, email):
    """Ask for a reset of ``email``'s password and open the mailed link."""
    client.post("/accounts/password/reset/", {"email": email})
    return client.get(_mailed_link(), follow=True)


def test_password_reset_asks_for_the_address_and_offers_log_in(client):
    response = client.get("/accounts/password/reset/")

    main = _main(response)
    assert response.status_code == HTTPStatus.OK
    assert "<title>Reset your password" in response.content.decode()
    assert "<h1>Reset your password</h1>" in main
    assert (
        "<p>Enter the email address you log in with. We email you a link to "
        "choose a new password.</p>" in main
    )
    assert '<label for="id_email">Email</label>' in main
    assert '<button type="submit">Email me a link</button>' in main
    assert f"<p>Remembered it? {LOG_IN}.</p>" in main
    assert "contact us" not in main.lower()


def test_password_reset_sent_page_says_what_the_email_holds(client):
    factories.user_create(email="kim@example.test")

    response = client.post(
        "/accounts/password/reset/", {"email": "kim@example.test"}, follow=True
    )

    main = _main(response)
    assert response.redirect_chain == [
        ("/accounts/password/reset/done/", HTTPStatus.FOUND)
    ]
    assert "<h1>Check your email</h1>" in main
    assert (
        "<p>We sent an email to the address you gave. If a Ledgerium account "
        "uses it, the email holds a link to choose a new password; if none "
        "does, the email says so.</p>" in main
    )
    assert (
        "Nothing after a few minutes? Look in your spam folder, or "
        '<a href="/accounts/password/reset/">ask again</a> with the address '
        "you log in with." in main
    )
    assert f"<p>Remembered your password? {LOG_IN}.</p>" in main
    assert "contact us" not in main.lower()


def test_password_reset_link_asks_for_the_new_password_of_its_account(client):
    factories.user_create(email="lou@example.test")

    response = _reset_form(client, "lou@example.test")

    main = _main(response)
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Choose a new password</h1>" in main
    assert (
        "<p>For the account of lou@example.test. Once the new password is set, "
        "this link stops working.</p>" in main
    )
    assert '<label for="id_password1">New password</label>' in main
    assert '<label for="id_password2">New password (again)</label>' in main
    assert 'placeholder="New password (again)"' in main
    assert '<button type="submit">Set new password</button>' in main
    assert "Cancel" not in main


def test_password_reset_ends_on_a_page_that_leads_to_log_in(client):
    factories.user_create(email="max@example.test")
    form = _reset_form(client, "max@example.test")

    response = client.post(
        form.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )

    main = _main(response)
    assert response.redirect_chain == [
        ("/accounts/password/reset/key/done/", HTTPStatus.FOUND)
    ]
    assert '<li class="message success">Your password is changed.</li>' in main
    assert "<h1>Log in with your new password</h1>" in main
    assert (
        "<p>Your old password no longer works. Log in with your email address "
        "and the new one.</p>" in main
    )
    assert '<a class="button" href="/accounts/login/">Log in</a>' in main
    assert client.login(username="max@example.test", password=NEW_PASSWORD)


def test_used_password_reset_link_offers_a_new_link_and_log_in(client):
    factories.user_create(email="ned@example.test")
    form = _reset_form(client, "ned@example.test")
    client.post(
        form.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    response = client.get(_mailed_link(), follow=True)

    main = _main(response)
    assert response.status_code == HTTPStatus.OK
    assert "<h1>This reset link does not work</h1>" in main
    assert (
        "<p>It has expired, or it was used already: each link works once.</p>" in main
    )
    assert (
        '<p><a href="/accounts/password/reset/">Ask for a new link</a>, or '
        '<a href="/accounts/login/">log in</a> if you have set a new password '
        "since.</p>" in main
    )
