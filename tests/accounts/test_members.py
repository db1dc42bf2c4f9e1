"""The members page says why a change to a membership did not happen."""

import re
from http import HTTPStatus

import pytest

from apps.accounts.models import Membership, Role
from tests import factories
from tests.web.html import CELL

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


SOLE_OWNER = (
    "The only owner; make someone else an owner before changing their role or "
    "removing them."
)


def _form(page, membership):
    form = re.search(
        rf'<form[^>]*action="/settings/members/{membership.pk}/".*?</form>', page, re.S
    )
    return form[0] if form else ""


def _offers_remove(page, membership):
    return 'value="remove"' in _form(page, membership)


def _offers_role(page, membership):
    return 'name="role"' in _form(page, membership)


def test_members_page_offers_no_remove_or_role_change_for_the_sole_owner(
    organization, owner, owner_client
):
    member = factories.member_add(organization=organization, role=Role.MEMBER)

    page = owner_client.get("/settings/members/").content.decode()

    sole, other = (Membership.objects.get(user=user) for user in (owner, member))
    assert not _offers_remove(page, sole) and not _offers_role(page, sole)
    assert _offers_remove(page, other) and _offers_role(page, other)
    assert f'Owner <span class="muted">{SOLE_OWNER}</span>' in page


def test_members_page_offers_remove_for_each_of_two_owners(
    organization, owner, owner_client
):
    second = factories.member_add(organization=organization, role=Role.OWNER)

    page = owner_client.get("/settings/members/").content.decode()

    for user in (owner, second):
        assert _offers_remove(page, Membership.objects.get(user=user))
        assert _offers_role(page, Membership.objects.get(user=user))


def test_members_page_lists_members_by_the_name_it_shows(organization, owner_client):
    owner = organization.memberships.get(role=Role.OWNER).user
    owner.email, owner.name = "owner@example.test", "Lena Fischer"
    owner.save()
    for email, name in [
        ("aaa@example.test", "Dana Whitfield"),
        ("zed@example.test", "Alex Morgan"),
        ("bruno@example.test", ""),
        ("carla@example.test", "carla Reyes"),
        ("alex@other.test", "Alex Morgan"),
    ]:
        user = factories.user_create(email=email)
        user.name = name
        user.save()
        factories.member_add(organization=organization, user=user)

    page = owner_client.get("/settings/members/").content.decode()

    shown = re.findall(rf"<td{CELL}>([^<]+?)(?:<br>|<wbr>)", page)
    assert shown == [
        "Alex Morgan",
        "Alex Morgan",
        "bruno",
        "carla Reyes",
        "Dana Whitfield",
        "Lena Fischer",
    ]
    assert page.index("alex<wbr>@other.test") < page.index("zed<wbr>@example.test")


def test_removing_a_member_says_first_that_their_tokens_are_revoked(
    organization, owner_client
):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    target = Membership.objects.get(user=member)

    page = owner_client.get("/settings/members/").content.decode()
    asked = owner_client.post(f"/settings/members/{target.pk}/", {"action": "remove"})

    assert (
        "the organization? They lose access at once, and their API tokens are revoked."
    ) in page
    assert (
        f"Remove {member.email} from Acme IT? They lose access at once, and their "
        "API tokens are revoked."
    ) in asked.content.decode()
    assert "sees and revokes every share link and API token." in page
    assert "changes nothing, but may revoke API tokens of their own." in page
