"""Sign-up says everything wrong with what was typed at once."""

from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


TOO_COMMON = "This password is too common."
NOT_THE_SAME = "You must type the same password each time."


@pytest.fixture
def client():
    """A client of its own address, clear of the sign-ups other tests count."""
    return Client(REMOTE_ADDR="198.51.100.60")


def _sign_up(client, email, password1, password2):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password1, "password2": password2},
    )


def test_signup_reports_a_common_password_and_a_mismatch_together(client):
    response = _sign_up(client, "ada@example.test", "password123", "password124")
    page = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert TOO_COMMON in page
    assert NOT_THE_SAME in page
    assert not User.objects.filter(email="ada@example.test").exists()


def test_signup_reports_a_mismatch_beside_the_second_password(client):
    response = _sign_up(client, "ada@example.test", "password123", "password124")
    form = response.context["form"]

    assert form.errors["password1"] == [TOO_COMMON]
    assert form.errors["password2"] == [NOT_THE_SAME]


def test_signup_reports_a_mismatch_once_when_the_password_is_good(client):
    response = _sign_up(client, "ada@example.test", factories.PASSWORD, "other words")

    assert response.context["form"].errors == {"password2": [NOT_THE_SAME]}


def test_signup_with_a_taken_address_says_nothing_of_it_on_the_page(client):
    """Whether an address has an account is told only by mail to it."""
    taken = factories.user_create(email="taken@example.test")

    refused = _sign_up(client, taken.email, "password123", "password124")
    accepted = _sign_up(client, taken.email, factories.PASSWORD, factories.PASSWORD)

    assert set(refused.context["form"].errors) == {"password1", "password2"}
    assert accepted.status_code == HTTPStatus.FOUND
    assert User.objects.filter(email=taken.email).count() == 1


def test_signup_sent_back_asks_for_a_good_password_again(client):
    response = _sign_up(
        client, "not-an-address", factories.PASSWORD, factories.PASSWORD
    )
    page = response.content.decode()

    assert response.context["form"].errors["password1"] == [
        "Type the password again, in both fields: the page does not keep it."
    ]
    assert factories.PASSWORD not in page


def test_signup_sent_back_for_its_password_asks_nothing_more(client):
    response = _sign_up(client, "ada@example.test", "password123", "password123")

    assert response.context["form"].errors == {"password1": [TOO_COMMON]}
