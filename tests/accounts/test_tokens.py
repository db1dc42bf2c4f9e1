import json
from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Membership, Role
from apps.accounts.services import api_token_create, api_token_revoke
from apps.core.errors import ApplicationError
from tests import factories
from tests.recordings.helpers import recording_body

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


# ------------------------------------------------------------------------------
# A token acts with its owner's role at the time it is used
# ------------------------------------------------------------------------------
def _member_with_token(organization, name="Nightly export"):
    """Return a member's membership and a token they made, with its secret."""
    user = factories.member_add(organization=organization, role=Role.MEMBER)
    membership = organization.memberships.get(user=user)
    token, raw = api_token_create(membership=membership, name=name)
    return membership, token, raw


def _api(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _recording_create(client):
    return client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body()),
        content_type="application/json",
    )


def _set_role(owner_client, membership, role):
    response = owner_client.post(f"/settings/members/{membership.pk}/", {"role": role})
    assert response.status_code == HTTPStatus.FOUND


def _remove(owner_client, membership):
    response = owner_client.post(
        f"/settings/members/{membership.pk}/",
        {"action": "remove", "confirmed": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_token_of_a_member_demoted_to_viewer_reads_but_changes_nothing(
    organization, owner_client
):
    membership, _token, raw = _member_with_token(organization)
    assert _recording_create(_api(raw)).status_code == HTTPStatus.CREATED

    _set_role(owner_client, membership, Role.VIEWER)
    listed = _api(raw).get("/api/v1/recordings/")
    refused = _recording_create(_api(raw))

    assert listed.status_code == HTTPStatus.OK
    assert listed.json()["count"] == 1
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json()["error"] == {
        "code": "permission_denied",
        "message": "Your role in this organization cannot change anything.",
    }


def test_token_of_a_viewer_made_member_again_changes_things_again(
    organization, owner_client
):
    membership, _token, raw = _member_with_token(organization)
    _set_role(owner_client, membership, Role.VIEWER)

    _set_role(owner_client, membership, Role.MEMBER)

    assert _recording_create(_api(raw)).status_code == HTTPStatus.CREATED


def test_token_of_a_removed_member_stops_working(organization, owner_client):
    membership, _token, raw = _member_with_token(organization)

    _remove(owner_client, membership)
    response = _api(raw).get("/api/v1/recordings/")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_of_a_removed_member_stays_revoked_when_they_join_again(
    organization, owner, owner_client
):
    membership, _token, raw = _member_with_token(organization)
    own, _own_raw = api_token_create(
        membership=organization.memberships.get(user=owner), name="Owner's"
    )
    _remove(owner_client, membership)

    factories.member_add(
        organization=organization, role=Role.MEMBER, user=membership.user
    )
    response = _api(raw).get("/api/v1/recordings/")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "revoked" in response.json()["error"]["message"]
    assert ApiToken.objects.filter(revoked_at=None).get() == own


def test_removing_a_member_leaves_their_tokens_in_other_organizations(
    organization, owner_client, other_organization
):
    membership, _token, _raw = _member_with_token(organization)
    elsewhere = factories.member_add(
        organization=other_organization, role=Role.MEMBER, user=membership.user
    )
    kept, _kept_raw = api_token_create(
        membership=other_organization.memberships.get(user=elsewhere), name="Kept"
    )

    _remove(owner_client, membership)

    assert ApiToken.objects.filter(revoked_at=None).get() == kept


# ------------------------------------------------------------------------------
# Revoking: one's own tokens whatever the role; anyone's for owners and admins
# ------------------------------------------------------------------------------
def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_viewer_revokes_a_token_made_before_being_demoted(organization, owner_client):
    membership, token, _raw = _member_with_token(organization)
    _set_role(owner_client, membership, Role.VIEWER)
    viewer = _logged_in(membership.user)
    url = f"/settings/tokens/{token.pk}/revoke/"

    asked = viewer.post(url)
    revoked = viewer.post(url, {"confirmed": "yes"}, follow=True)

    assert asked.status_code == HTTPStatus.OK
    assert "Revoke the token Nightly export?" in asked.content.decode()
    assert revoked.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert "Token Nightly export revoked." in revoked.content.decode()
    assert not ApiToken.objects.filter(revoked_at=None).exists()


def test_viewer_revokes_older_extension_tokens_of_their_own(organization, owner_client):
    membership, created, _raw = _member_with_token(organization)
    connected = [
        api_token_create(
            membership=membership, name="Chrome", source=ApiToken.Source.CONNECT
        )[0]
        for _attempt in range(2)
    ]
    _set_role(owner_client, membership, Role.VIEWER)

    response = _logged_in(membership.user).post(
        "/settings/tokens/revoke-old-connect/", {"confirmed": "yes"}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    assert "1 older extension token revoked." in response.content.decode()
    assert set(ApiToken.objects.filter(revoked_at=None)) == {created, connected[1]}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_colleagues_token_is_not_found_for_revoking_by_a_non_manager(
    organization, role
):
    _colleague, token, _raw = _member_with_token(organization)
    other = _logged_in(factories.member_add(organization=organization, role=role))
    url = f"/settings/tokens/{token.pk}/revoke/"

    asked = other.post(url)
    confirmed = other.post(url, {"confirmed": "yes"})

    for response in (asked, confirmed):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "Nightly export" not in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_or_admin_revokes_any_token_of_the_organization(organization, role):
    _colleague, token, _raw = _member_with_token(organization)
    if role == Role.OWNER:
        manager = organization.memberships.get(role=Role.OWNER).user
    else:
        manager = factories.member_add(organization=organization, role=role)

    response = _logged_in(manager).post(
        f"/settings/tokens/{token.pk}/revoke/", {"confirmed": "yes"}, follow=True
    )

    assert "Token Nightly export revoked." in response.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()


def test_api_token_revoke_refuses_a_non_manager_anothers_token(organization):
    _colleague, token, _raw = _member_with_token(organization)
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)

    with pytest.raises(ApplicationError) as refused:
        api_token_revoke(
            membership=organization.memberships.get(user=viewer), token=token
        )

    assert refused.value.status == HTTPStatus.FORBIDDEN
    assert ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()


def test_token_revoked_again_keeps_when_it_was_revoked_and_says_so(
    organization, owner, owner_client
):
    token, _raw = api_token_create(
        membership=organization.memberships.get(user=owner), name="Nightly export"
    )
    url = f"/settings/tokens/{token.pk}/revoke/"
    owner_client.post(url, {"confirmed": "yes"}, follow=True)
    token.refresh_from_db()
    first = token.revoked_at

    again = owner_client.post(url, {"confirmed": "yes"}, follow=True)

    token.refresh_from_db()
    page = again.content.decode()
    assert again.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert token.revoked_at == first
    assert "Token Nightly export was already revoked." in page
    assert "Token Nightly export revoked." not in page
