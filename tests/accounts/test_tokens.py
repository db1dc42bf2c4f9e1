from http import HTTPStatus

import pytest

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def _connect(client, times):
    for _attempt in range(times):
        client.post("/extension/connect/", HTTP_ACCEPT="application/json")


def test_token_list_names_where_each_token_came_from(owner_client):
    owner_client.post("/settings/tokens/", {"name": "Nightly export"})
    _connect(owner_client, 1)

    page = owner_client.get("/settings/tokens/").content.decode()

    assert page.count('data-token-source="created"') == 1
    assert page.count('data-token-source="connect"') == 1
    assert "Created here" in page and "Connect the extension" in page
    assert "Revoke older extension tokens" not in page


def test_revoking_older_connect_tokens_keeps_the_newest_and_the_rest(
    organization, owner, owner_client
):
    created, _raw = api_token_create(
        membership=organization.memberships.get(user=owner), name="Script"
    )
    _connect(owner_client, 3)
    newest = ApiToken.objects.filter(source=ApiToken.Source.CONNECT).first()
    assert b"3 extension tokens" not in owner_client.get("/settings/tokens/").content
    assert b"2 extension tokens" in owner_client.get("/settings/tokens/").content

    asked = owner_client.post("/settings/tokens/revoke-old-connect/")
    assert ApiToken.objects.filter(revoked_at=None).count() == 4
    assert "Are you sure?" in asked.content.decode()
    response = owner_client.post(
        "/settings/tokens/revoke-old-connect/", {"confirmed": "yes"}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    assert b"2 older extension tokens revoked." in response.content
    active = ApiToken.objects.filter(revoked_at=None)
    assert set(active) == {created, newest}


def test_revoking_older_connect_tokens_leaves_other_members_alone(
    organization, owner, owner_client
):
    colleague = factories.member_add(organization=organization)
    membership = organization.memberships.get(user=colleague)
    for _attempt in range(2):
        api_token_create(
            membership=membership,
            name="Chrome extension",
            source=ApiToken.Source.CONNECT,
        )
    _connect(owner_client, 2)

    owner_client.post("/settings/tokens/revoke-old-connect/", {"confirmed": "yes"})

    assert ApiToken.objects.filter(user=colleague, revoked_at=None).count() == 2
    assert ApiToken.objects.filter(user=owner, revoked_at=None).count() == 1


def test_revoking_older_connect_tokens_needs_a_post(owner_client):
    response = owner_client.get("/settings/tokens/revoke-old-connect/")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_token_with_a_long_name_keeps_the_form_and_says_why_at_the_field(
    owner_client,
):
    response = owner_client.post("/settings/tokens/", {"name": "n" * 101})
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Ensure this value has at most 100 characters (it has 101).</li></ul>" in page
    )
    assert f'value="{"n" * 101}"' in page
    assert not ApiToken.objects.exists()
