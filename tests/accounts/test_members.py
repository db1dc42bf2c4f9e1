"""The members page says why a change to a membership did not happen."""

from http import HTTPStatus

import pytest

from apps.accounts.models import Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db

LAST_OWNER = (
    "An organization needs at least one owner: make another member owner first."
)


def test_demoting_the_sole_owner_explains_on_the_members_page(
    organization, owner, owner_client
):
    own = Membership.objects.get(user=owner)

    response = owner_client.post(
        f"/settings/members/{own.pk}/",
        {"action": "role", "role": "member"},
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain == [("/settings/members/", HTTPStatus.FOUND)]
    assert LAST_OWNER in page
    assert "That did not work" not in page
    own.refresh_from_db()
    assert own.role == Role.OWNER


def test_removing_the_sole_owner_explains_on_the_members_page(owner, owner_client):
    own = Membership.objects.get(user=owner)

    response = owner_client.post(
        f"/settings/members/{own.pk}/",
        {"action": "remove", "role": "owner", "confirmed": "yes"},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert LAST_OWNER in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_admin_changing_an_owner_is_told_why_not(organization, owner, client):
    admin = factories.member_add(organization=organization, role=Role.ADMIN)
    client.force_login(admin)
    own = Membership.objects.get(user=owner)

    response = client.post(
        f"/settings/members/{own.pk}/",
        {"action": "role", "role": "member"},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert (
        "Only an owner can change an owner&#x27;s role or make someone owner."
        in response.content.decode()
    )
