from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    icon = client.get(response["Location"])

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/static/img/favicon.svg"
    assert icon.status_code == HTTPStatus.OK
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
