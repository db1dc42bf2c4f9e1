"""A server error answers a page in the site's layout, never Django's own."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import path

from ledgerium.urls import urlpatterns as site_urlpatterns


def _fails(request):
    raise RuntimeError("the disk is full")


urlpatterns = [path("fails/", _fails), *site_urlpatterns]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_server_error_answers_the_sites_page_without_the_error():
    client = Client(raise_request_exception=False)

    response = client.get("/fails/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "<title>Something went wrong on our side" in page
    assert "nothing you had saved is lost" in page
    assert 'href="/"' in page
    assert "the disk is full" not in page
