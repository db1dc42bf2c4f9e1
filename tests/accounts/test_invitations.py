"""One pending invitation per address: inviting again replaces the first."""

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client

from apps.accounts.models import Invitation, Role
from tests import factories

pytestmark = pytest.mark.django_db

REPLACED = (
    "Invitation sent to newagent@example.org. It replaces the earlier one, whose "
    "link no longer works."
)


def _link_in_last_mail():
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path


def _invite(client, email, role):
    response = client.post("/settings/invitations/", {"email": email, "role": role})
    return response, _link_in_last_mail()


def test_inviting_again_leaves_one_pending_invitation_with_the_new_role(
    organization, owner_client
):
    _invite(owner_client, "newagent@example.org", Role.OWNER)
    response, _link = _invite(owner_client, "NewAgent@example.org", Role.MEMBER)
    page = owner_client.get(response["Location"]).content.decode()

    pending = Invitation.objects.filter(organization=organization, revoked_at=None)
    assert response.status_code == HTTPStatus.FOUND
    assert [(i.email, i.role) for i in pending] == [
        ("newagent@example.org", Role.MEMBER)
    ]
    assert REPLACED in page
    assert page.count("newagent<wbr>@example.org · ") == 1
    assert len(mail.outbox) == 2


def test_the_first_link_stops_working_once_invited_again(
    organization, owner_client, client
):
    _response, first = _invite(owner_client, "newagent@example.org", Role.OWNER)
    _response, second = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    newcomer = factories.user_create(email="newagent@example.org")
    client.force_login(newcomer)

    refused = client.post(first)
    joined = client.post(second)

    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert b"This invitation is not valid" in refused.content
    assert joined.status_code == HTTPStatus.FOUND
    assert organization.memberships.get(user=newcomer).role == Role.MEMBER


def test_first_invitation_to_an_address_says_nothing_of_replacing(owner_client):
    response, _link = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    page = owner_client.get(response["Location"]).content.decode()

    assert "Invitation sent to newagent@example.org." in page
    assert "replaces" not in page


def test_database_refuses_a_second_open_invitation_to_an_address(organization):
    Invitation.objects.create(
        organization=organization, email="a@example.test", token_hash="1" * 64
    )

    with pytest.raises(IntegrityError, match="invitation_unique_open_email"):
        Invitation.objects.create(
            organization=organization, email="A@example.test", token_hash="2" * 64
        )


def test_another_organization_may_invite_the_same_address(
    organization, other_organization
):
    for each, token_hash in ((organization, "1" * 64), (other_organization, "2" * 64)):
        Invitation.objects.create(
            organization=each, email="a@example.test", token_hash=token_hash
        )

    assert Invitation.objects.filter(email="a@example.test").count() == 2


def test_inviting_a_member_keeps_the_form_and_says_why_at_the_field(
    organization, owner, owner_client
):
    response = owner_client.post(
        "/settings/invitations/", {"email": owner.email, "role": Role.ADMIN}
    )
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "That did not work" not in page
    assert (
        f'<ul class="errorlist" id="id_email_error"><li>{owner.email} is already '
        "a member of Acme IT.</li></ul>"
    ) in page
    assert f'value="{owner.email}"' in page
    assert re.search(r'<input type="email" name="email"[^>]* autofocus', page)
    assert '<option value="admin" selected>Admin</option>' in page
    assert not Invitation.objects.filter(organization=organization).exists()


def test_inviting_a_bad_address_keeps_the_form_and_says_why_at_the_field(
    organization, owner_client
):
    response = owner_client.post(
        "/settings/invitations/", {"email": "not-an-address", "role": Role.MEMBER}
    )
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Enter a valid email address." in page
    assert 'value="not-an-address"' in page
    assert not Invitation.objects.filter(organization=organization).exists()


@pytest.mark.parametrize("page", ["", "signup/"])
def test_invitation_landing_says_the_role_before_log_in(owner_client, page):
    _response, link = _invite(owner_client, "newagent@example.org", Role.ADMIN)

    response = Client().get(link + page)

    assert response.status_code == HTTPStatus.OK
    assert "as Admin" in response.content.decode()


def test_invitation_accept_page_says_the_role(owner_client):
    _response, link = _invite(owner_client, "newagent@example.org", Role.VIEWER)
    client = Client()
    client.force_login(factories.user_create(email="newagent@example.org"))

    page = client.get(link).content.decode()

    assert "You are invited as Viewer. The invitation is for newagent@example.org." in (
        page
    )


def test_invitation_sent_redirects_so_a_refresh_posts_nothing(owner_client):
    response = owner_client.post(
        "/settings/invitations/", {"email": "newagent@example.org", "role": "member"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/settings/members/"
    assert len(mail.outbox) == 1
