from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("authorization", [None, "Bearer ldg_not-a-token"])
def test_api_unauthorized_names_the_scheme(authorization):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = client.get("/api/v1/recordings/")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] in (
        "not_authenticated",
        "authentication_failed",
    )
