from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_login_page_labels_its_fields_without_colons(client):
    response = client.get("/accounts/login/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<label for="id_remember">Remember me</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert "Remember Me" not in page
    assert ":</label>" not in page
