from http import HTTPStatus

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_labels_its_fields_without_colons(client):
    response = client.get("/accounts/login/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<label for="id_remember">Remember me</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert "Remember Me" not in page
    assert ":</label>" not in page


def test_logging_in_and_out_says_so_in_the_app_s_words(client):
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    owner.name = "Lou Reyes"
    owner.save(update_fields=["name"])

    logged_in = client.post(
        "/accounts/login/",
        {"login": owner.email, "password": factories.PASSWORD},
        follow=True,
    )
    logged_out = client.post("/accounts/logout/", follow=True)

    assert logged_in.status_code == logged_out.status_code == HTTPStatus.OK
    assert '<li class="message success">Logged in as Lou Reyes.</li>' in (
        logged_in.content.decode()
    )
    assert '<li class="message success">You are logged out.</li>' in (
        logged_out.content.decode()
    )
    assert "signed" not in logged_in.content.decode()
    assert "signed" not in logged_out.content.decode()
