from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import ApiToken, Role
from apps.accounts.services import api_token_create, api_token_revoke
from apps.core.errors import ApplicationError
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


def test_token_form_sends_the_browser_to_a_page_showing_the_token_once(
    organization, owner_client
):
    response = owner_client.post("/settings/tokens/", {"name": "Nightly export"})
    token = ApiToken.objects.get(organization=organization)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/settings/tokens/{token.pk}/created/"

    shown = owner_client.get(response["Location"])
    again = owner_client.get(response["Location"], follow=True)

    assert shown.status_code == HTTPStatus.OK
    assert "no-store" in shown["Cache-Control"].split(", ")
    raw = shown.context["raw_token"]
    assert ApiToken.hash(raw) == token.token_hash
    page = shown.content.decode()
    assert f'value="{raw}"' in page
    assert (
        "Your new token “Nightly export”. Copy it now: it is shown only once." in page
    )
    assert 'aria-current="true">API tokens</a>' in page
    assert again.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert raw not in again.content.decode()
    assert (
        "A token is shown only once, when it is made. If it was not copied, "
        "revoke it and create another." in again.content.decode()
    )
    assert ApiToken.objects.filter(organization=organization).count() == 1


def test_token_revoked_before_its_page_shows_no_secret(
    organization, owner, owner_client
):
    created = owner_client.post("/settings/tokens/", {"name": "Nightly export"})
    token = ApiToken.objects.get(organization=organization)
    api_token_revoke(membership=organization.memberships.get(user=owner), token=token)

    shown = owner_client.get(created["Location"], follow=True)

    assert shown.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert "raw_token" not in shown.context
    assert 'id="new-token"' not in shown.content.decode()
    assert "This token was revoked, so it is not shown." in shown.content.decode()
    assert owner_client.session["api_tokens_created"] == {}


def test_tokens_made_in_two_tabs_each_show_their_own_secret(organization, owner_client):
    first = owner_client.post("/settings/tokens/", {"name": "First"})
    second = owner_client.post("/settings/tokens/", {"name": "Second"})

    raws = [
        owner_client.get(response["Location"]).context["raw_token"]
        for response in (second, first)
    ]

    hashes = {ApiToken.hash(raw) for raw in raws}
    assert hashes == set(ApiToken.objects.values_list("token_hash", flat=True))
    assert len(hashes) == 2


def test_token_page_in_another_browser_leads_to_the_list(owner, owner_client):
    created = owner_client.post("/settings/tokens/", {"name": "Nightly export"})
    other_browser = Client()
    other_browser.force_login(owner)

    response = other_browser.get(created["Location"], follow=True)

    assert response.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert b"A token is shown only once, when it is made." in response.content
    assert "raw_token" in owner_client.get(created["Location"]).context


def test_token_page_of_another_organization_is_not_found(
    owner_client, other_organization
):
    created = owner_client.post("/settings/tokens/", {"name": "Nightly export"})
    stranger = Client()
    stranger.force_login(other_organization.memberships.get(role=Role.OWNER).user)

    response = stranger.get(created["Location"])

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Nightly export" not in response.content
    assert "raw_token" in owner_client.get(created["Location"]).context


def test_token_page_of_another_organization_is_not_found_even_when_just_made(
    organization, owner, other_organization
):
    # The owner of both organizations makes a token in one, then switches.
    other_organization.memberships.create(user=owner, role=Role.OWNER)
    client = Client()
    client.force_login(owner)
    created = client.post("/settings/tokens/", {"name": "Nightly export"})
    client.post("/organizations/switch/", {"organization": other_organization.pk})

    response = client.get(created["Location"])

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Nightly export" not in response.content


def test_token_form_starts_empty_with_a_neutral_example(owner_client):
    response = owner_client.get("/settings/tokens/")

    assert response.status_code == HTTPStatus.OK
    assert (
        '<input type="text" name="name" placeholder="e.g. ServiceNow sync" '
        'maxlength="100" required id="id_name">'
    ) in response.content.decode()


def test_token_without_a_name_answers_400_beside_the_field(owner_client):
    response = owner_client.post("/settings/tokens/", {"name": ""})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not ApiToken.objects.exists()


def test_token_with_a_long_name_keeps_the_form_and_says_why_at_the_field(
    owner_client,
):
    response = owner_client.post("/settings/tokens/", {"name": "n" * 101})
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors == {
        "name": ["The token name is 101 characters; the limit is 100."]
    }
    assert "The token name is 101 characters; the limit is 100.</li></ul>" in page
    assert f'value="{"n" * 101}"' in page
    assert not ApiToken.objects.exists()


def test_token_page_shows_the_token_in_the_shared_secret_field(owner_client):
    response = owner_client.post("/settings/tokens/", {"name": "Nightly export"})

    shown = owner_client.get(response["Location"])

    raw = shown.context["raw_token"]
    assert (
        '<div class="secret-field"><label for="new-token">Token</label>'
        f'<input id="new-token" class="token" readonly value="{raw}" data-token>\n'
        '  <button type="button" class="secondary" data-copy="new-token"'
    ) in shown.content.decode()


def test_token_create_refuses_a_name_over_the_limit_and_names_it(organization, owner):
    membership = organization.memberships.get(user=owner)

    with pytest.raises(ApplicationError) as refused:
        api_token_create(membership=membership, name="n" * 101)

    assert refused.value.code == "name_too_long"
    assert refused.value.field == "name"
    assert refused.value.message == (
        "The token name is 101 characters; the limit is 100."
    )
    assert not ApiToken.objects.exists()


def test_token_create_keeps_a_name_at_the_limit_whole(organization, owner):
    membership = organization.memberships.get(user=owner)

    token, _raw = api_token_create(membership=membership, name=f"  {'n' * 100}  ")

    assert token.name == "n" * 100
