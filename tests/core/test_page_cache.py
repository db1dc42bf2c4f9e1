"""No cache keeps a page shown to a logged-in user; static files stay cached."""

from http import HTTPStatus

import pytest
from django.test import Client

from apps.sharing.services import share_link_create
from tests.sharing.helpers import workflow_in

pytestmark = pytest.mark.django_db

MEMBER_PAGES = [
    "/dashboard/",
    "/workflows/",
    "/settings/members/",
    "/upload/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_page_for_a_logged_in_user_is_not_stored(owner_client, path):
    response = owner_client.get(path)

    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"


def test_deleted_workflow_page_is_not_stored(organization, owner_client):
    workflow = workflow_in(organization)
    shown = owner_client.get(workflow.get_absolute_url())
    owner_client.post(f"/workflows/{workflow.pk}/delete/", {"confirmed": "yes"})

    gone = owner_client.get(workflow.get_absolute_url())

    assert shown["Cache-Control"] == "no-store"
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert gone["Cache-Control"] == "no-store"


def test_answer_to_a_logged_in_post_is_not_stored(owner_client):
    response = owner_client.post(
        "/settings/invitations/", {"email": "new@example.test", "role": "member"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Cache-Control"] == "no-store"


def test_public_page_keeps_no_cache_header(client):
    response = client.get("/pricing/")

    assert response.status_code == HTTPStatus.OK
    assert not response.has_header("Cache-Control")


def test_static_file_stays_cacheable_for_a_logged_in_user(owner_client):
    response = owner_client.get("/static/css/app.css")

    assert response.status_code == HTTPStatus.OK
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def test_page_with_its_own_cache_header_keeps_it(organization, owner, owner_client):
    workflow = workflow_in(organization)
    _link, raw = share_link_create(
        membership=organization.memberships.get(user=owner), workflow=workflow
    )

    anonymous = Client().get(f"/s/{raw}/")
    response = owner_client.get(f"/s/{raw}/")

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == anonymous["Cache-Control"]
