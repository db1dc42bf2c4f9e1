"""A person's name: given at sign-up, edited on the profile, shown by it."""

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.models import Role, User
from apps.accounts.services import invitation_create, user_name_set
from apps.accounts.templatetags.people_tags import breakable_email
from apps.core.errors import ApplicationError
from tests import factories
from tests.web.html import CELL

pytestmark = pytest.mark.django_db

TOO_LONG = "Your name is 151 characters; the limit is 150."


def _sign_up(client, email, path="/accounts/signup/", **extra):
    return client.post(
        path,
        {
            "email": email,
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            **extra,
        },
    )


def test_signup_offers_an_optional_name_field(client):
    page = client.get("/accounts/signup/").content.decode()

    assert '<label for="id_name">Your name</label>' in page
    name_input = re.search(r'<input type="text" name="name"[^>]*>', page)[0]
    assert "required" not in name_input


def test_signup_stores_the_name_cleaned(client):
    response = _sign_up(client, "ada@example.test", name="  Ada\x07 \tLovelace \n")

    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(email="ada@example.test").name == "Ada Lovelace"


def test_signup_without_a_name_is_named_by_the_email(client):
    _sign_up(client, "grace.hopper@example.test")

    user = User.objects.get(email="grace.hopper@example.test")
    assert user.name == ""
    client.force_login(user)
    header = client.get("/dashboard/").content.decode().split("</header>")[0]
    assert ">grace.hopper<" in header


def test_signup_refuses_a_name_too_long_and_says_so(client):
    response = _sign_up(client, "long@example.test", name="x" * 151)

    assert response.status_code == HTTPStatus.OK
    assert TOO_LONG in response.content.decode()
    assert not User.objects.filter(email="long@example.test").exists()


def test_invitee_signing_up_from_the_link_keeps_the_name(organization, owner, client):
    invitation_create(
        membership=organization.memberships.get(user=owner),
        email="carol@example.test",
        role=Role.MEMBER,
    )
    link = urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path

    _sign_up(client, "carol@example.test", f"{link}signup/", name="Carol Diaz")

    assert organization.memberships.get(user__email="carol@example.test")
    assert User.objects.get(email="carol@example.test").name == "Carol Diaz"


def test_profile_needs_a_login(client):
    response = client.get("/settings/profile/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_profile_shows_the_name_to_edit_and_the_email(owner, owner_client):
    user_name_set(user=owner, name="Priya Raman")

    page = owner_client.get("/settings/profile/").content.decode()

    assert "<h1>Your profile</h1>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="name" value="Priya Raman"' in page
    assert f"<dd>{owner.email} " in page
    assert 'href="/settings/profile/" aria-current="page">Your profile' in page


def test_profile_saves_the_name_cleaned_and_shows_it(owner, owner_client):
    response = owner_client.post(
        "/settings/profile/", {"name": " Priya\x00  Raman\r\n"}, follow=True
    )

    assert response.redirect_chain == [("/settings/profile/", HTTPStatus.FOUND)]
    page = response.content.decode()
    assert "Your profile is saved." in page
    assert 'Priya Raman<span class="visually-hidden">: your profile</span>' in page
    owner.refresh_from_db()
    assert owner.name == "Priya Raman"


def test_profile_drops_bidirectional_controls_from_the_name(owner, owner_client):
    """An override left open would turn round the rest of a line naming them."""
    owner_client.post("/settings/profile/", {"name": "Mallory \u202eevil\u2066 Doe"})

    owner.refresh_from_db()
    assert owner.name == "Mallory evil Doe"


def test_profile_saves_a_blank_name_as_unnamed(owner, owner_client):
    user_name_set(user=owner, name="Priya Raman")

    owner_client.post("/settings/profile/", {"name": "  "})

    owner.refresh_from_db()
    assert owner.name == ""


def test_profile_refuses_a_name_too_long_by_the_field(owner, owner_client):
    response = owner_client.post("/settings/profile/", {"name": "x" * 151})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert f'<ul class="errorlist" id="id_name_error"><li>{TOO_LONG}</li>' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_name_helptext id_name_error"' in page
    owner.refresh_from_db()
    assert owner.name == ""


def test_profile_refuses_a_post_without_its_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/settings/profile/", {"name": "Mallory"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    owner.refresh_from_db()
    assert owner.name == ""


def test_user_name_set_refuses_a_name_too_long(owner):
    with pytest.raises(ApplicationError) as raised:
        user_name_set(user=owner, name="x" * 151)

    assert raised.value.message == TOO_LONG
    assert (raised.value.code, raised.value.field) == ("name_too_long", "name")


def _named_member(organization, name, role=Role.MEMBER):
    user = factories.member_add(organization=organization, role=role)
    return user_name_set(user=user, name=name)


def test_members_list_shows_each_name_with_the_email_beneath(
    organization, owner, owner_client
):
    priya = _named_member(organization, "Priya Raman")

    page = owner_client.get("/settings/members/").content.decode()

    shown = breakable_email(priya.email)
    assert f'Priya Raman<br><span class="muted">{shown}</span>' in page
    assert f"<td{CELL}>{breakable_email(owner.email)}</td>" in page, (
        "an unnamed member shows the email"
    )
    label = f"Priya Raman ({priya.email})"
    assert f"Role of {label}</label>" in page
    assert f"Remove {label} from the organization?" in page


def test_members_list_never_shows_another_organizations_names(
    organization, other_organization, client
):
    _named_member(organization, "Priya Raman")
    outsider = _named_member(other_organization, "Marek Novak", Role.OWNER)
    client.force_login(outsider)

    page = client.get("/settings/members/").content.decode()

    assert "Marek Novak" in page
    assert "Priya Raman" not in page


def test_removing_a_member_names_them(organization, owner_client):
    priya = _named_member(organization, "Priya Raman")
    membership = organization.memberships.get(user=priya)
    path = f"/settings/members/{membership.pk}/"

    asked = owner_client.post(path, {"action": "remove"})
    done = owner_client.post(
        path, {"action": "remove", "confirmed": "yes"}, follow=True
    )

    label = f"Priya Raman ({priya.email})"
    assert f"Remove {label} from Acme IT?" in asked.content.decode()
    assert f"{label} was removed." in done.content.decode()


def test_pending_invitation_names_who_sent_it(organization, owner, owner_client):
    user_name_set(user=owner, name="Priya Raman")
    invitation_create(
        membership=organization.memberships.get(user=owner),
        email="carol@example.test",
        role=Role.MEMBER,
    )

    page = owner_client.get("/settings/members/").content.decode()

    invited = "carol<wbr>@example.test · Member · invited by Priya Raman · expires"
    assert invited in page
    assert mail.outbox[-1].body.startswith(
        f"Priya Raman ({owner.email}) invites you to join Acme IT on Ledgerium"
    )


def test_invitation_email_is_plain_text_with_nothing_escaped(organization, owner):
    """Before, "O'Brien" arrived as "O&#x27;Brien" and "&" as "&amp;"."""
    user_name_set(user=owner, name="Sinéad O'Brien <ops>")
    organization.name = "Smith & Co"
    organization.save(update_fields=["name"])

    invitation_create(
        membership=organization.memberships.get(user=owner),
        email="carol@example.test",
        role=Role.MEMBER,
    )

    assert mail.outbox[-1].body.startswith(
        f"Sinéad O'Brien <ops> ({owner.email}) invites you to join Smith & Co "
        "on Ledgerium as Member."
    )


def test_api_tokens_name_their_user(organization, owner, owner_client):
    user_name_set(user=owner, name="Priya Raman")
    factories.api_token_for(organization=organization, user=owner)

    page = owner_client.get("/settings/tokens/").content.decode()

    assert f"<td{CELL}>Priya Raman</td>" in page
