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


@pytest.mark.parametrize(
    "body",
    [b'{"recording": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b"[1, 2"],
    ids=["nested-past-the-parsers-depth", "truncated"],
)
def test_api_json_body_that_cannot_be_parsed_is_a_parse_error(api_client, body):
    response = api_client.post(
        "/api/v1/workflows/", body, content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "parse_error"
