"""One pending invitation per address: inviting again sends it again, and
every link mailed for it works until it is accepted, revoked or expires."""

import re
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Invitation, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _link_in_last_mail():
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path


def _invite(client, email, role):
    response = client.post("/settings/invitations/", {"email": email, "role": role})
    return response, _link_in_last_mail()


def _newcomer_client(email="newagent@example.org"):
    client = Client()
    newcomer = factories.user_create(email=email)
    client.force_login(newcomer)
    return client, newcomer


def test_inviting_again_leaves_one_pending_invitation_with_the_new_role(
    organization, owner_client
):
    _invite(owner_client, "newagent@example.org", Role.OWNER)
    response, _link = _invite(owner_client, "NewAgent@example.org", Role.MEMBER)
    page = owner_client.get(response["Location"]).content.decode()

    pending = Invitation.objects.filter(organization=organization, revoked_at=None)
    expires = pending.get().expires_at
    assert response.status_code == HTTPStatus.FOUND
    assert [(i.email, i.role) for i in pending] == [
        ("newagent@example.org", Role.MEMBER)
    ]
    assert (
        "Invitation sent again to newagent@example.org, as Member. Every link "
        f"mailed for it works until {expires:%-d %b %Y}."
    ) in page
    assert page.count("newagent<wbr>@example.org · ") == 1
    assert len(mail.outbox) == 2
    assert "the link in an earlier email works too" in mail.outbox[1].body
    assert "earlier email" not in mail.outbox[0].body


def test_every_link_works_once_invited_again_and_gives_the_new_role(
    organization, owner_client
):
    _response, first = _invite(owner_client, "newagent@example.org", Role.OWNER)
    _response, second = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    client, newcomer = _newcomer_client()

    shown = client.get(first)
    joined = client.post(first)
    used = client.post(second)

    assert first != second
    assert shown.status_code == HTTPStatus.OK
    assert "You are invited as Member." in shown.content.decode()
    assert joined.status_code == HTTPStatus.FOUND
    assert organization.memberships.get(user=newcomer).role == Role.MEMBER
    assert used.status_code == HTTPStatus.NOT_FOUND
    assert b"This invitation is not valid" in used.content


def test_double_submitted_invitation_keeps_the_first_link_working(
    organization, owner_client
):
    """Two posts of the same form, as a double click sends them."""
    _response, first = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    _invite(owner_client, "newagent@example.org", Role.MEMBER)
    client, newcomer = _newcomer_client()

    joined = client.post(first)

    assert joined.status_code == HTTPStatus.FOUND
    assert organization.memberships.get(user=newcomer).role == Role.MEMBER
    assert Invitation.objects.filter(organization=organization).count() == 1


def test_inviting_again_moves_the_expiry_on(organization, owner_client):
    _invite(owner_client, "newagent@example.org", Role.MEMBER)
    soon = timezone.now() + timedelta(hours=1)
    Invitation.objects.update(expires_at=soon)

    _invite(owner_client, "newagent@example.org", Role.MEMBER)

    assert Invitation.objects.get().expires_at > soon + timedelta(days=6)


def test_revoking_stops_every_link_mailed_for_the_invitation(
    organization, owner_client
):
    _response, first = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    _response, second = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    invitation = Invitation.objects.get()
    owner_client.post(f"/settings/invitations/{invitation.pk}/revoke/")
    client, _newcomer = _newcomer_client()

    refused = [client.post(link).status_code for link in (first, second)]

    assert refused == [HTTPStatus.NOT_FOUND, HTTPStatus.NOT_FOUND]
    assert not organization.memberships.filter(user__email="newagent@example.org")


def test_inviting_after_the_invitation_expired_sends_a_new_one(
    organization, owner_client
):
    _response, expired = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response, fresh = _invite(owner_client, "newagent@example.org", Role.ADMIN)
    page = owner_client.get(response["Location"]).content.decode()
    client, newcomer = _newcomer_client()

    assert "Invitation sent to newagent@example.org." in page
    assert "again" not in page
    assert client.post(expired).status_code == HTTPStatus.NOT_FOUND
    assert client.post(fresh).status_code == HTTPStatus.FOUND
    assert organization.memberships.get(user=newcomer).role == Role.ADMIN
    assert Invitation.objects.filter(revoked_at=None, accepted_at=None).count() == 0


def test_first_invitation_to_an_address_says_nothing_of_sending_again(owner_client):
    response, _link = _invite(owner_client, "newagent@example.org", Role.MEMBER)
    page = owner_client.get(response["Location"]).content.decode()

    assert "Invitation sent to newagent@example.org." in page
    assert "again" not in page


def test_database_refuses_a_second_open_invitation_to_an_address(organization):
    Invitation.objects.create(organization=organization, email="a@example.test")

    with pytest.raises(IntegrityError, match="invitation_unique_open_email"):
        Invitation.objects.create(organization=organization, email="A@example.test")


def test_another_organization_may_invite_the_same_address(
    organization, other_organization
):
    for each in (organization, other_organization):
        Invitation.objects.create(organization=each, email="a@example.test")

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
