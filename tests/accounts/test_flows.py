import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from apps.accounts.models import ApiToken, Membership, Organization, Role
from apps.accounts.services import invitation_create
from apps.core.errors import ApplicationError
from tests import factories

pytestmark = pytest.mark.django_db


def _link_in_last_mail():
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body)[0]).path


def test_signup_verify_lands_in_own_organization(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.test",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "organization_name": "Ada's Desk",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "confirm" in mail.outbox[-1].body.lower()

    confirm = _link_in_last_mail()
    response = client.post(confirm)
    assert response.status_code == HTTPStatus.FOUND

    response = client.get("/dashboard/")
    assert response.status_code == HTTPStatus.OK
    assert b"Ada&#x27;s Desk" in response.content
    membership = Membership.objects.get(user__email="ada@example.test")
    assert membership.role == Role.OWNER
    assert membership.organization.plan.slug == "free"


def test_unverified_user_cannot_log_in(client):
    factories.user_create(email="new@example.test", verified=False)
    response = client.post(
        "/accounts/login/",
        {"login": "new@example.test", "password": factories.PASSWORD},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "confirm-email" in response["Location"]
    assert client.get("/dashboard/").status_code == HTTPStatus.FOUND


def test_invited_user_joins_as_member(organization, owner, client):
    owner_membership = organization.memberships.get(user=owner)
    invitation_create(
        membership=owner_membership, email="bob@example.test", role=Role.MEMBER
    )
    link = _link_in_last_mail()
    bob = factories.user_create(email="bob@example.test")

    client.force_login(bob)
    assert client.get(link).status_code == HTTPStatus.OK
    assert client.post(link).status_code == HTTPStatus.FOUND

    assert organization.memberships.get(user=bob).role == Role.MEMBER
    assert client.post(link).status_code == HTTPStatus.NOT_FOUND, (
        "the token is single-use"
    )


def test_invitation_for_another_email_is_refused(organization, owner, client):
    invitation_create(
        membership=organization.memberships.get(user=owner),
        email="bob@example.test",
        role=Role.ADMIN,
    )
    link = _link_in_last_mail()
    mallory = factories.user_create(email="mallory@example.test")
    client.force_login(mallory)

    response = client.post(link)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"another email address" in response.content
    assert not organization.memberships.filter(user=mallory).exists()


def test_expired_invitation_is_refused(organization, owner, client):
    invitation, _raw, _resent = invitation_create(
        membership=organization.memberships.get(user=owner),
        email="bob@example.test",
        role=Role.MEMBER,
    )
    link = _link_in_last_mail()
    invitation.expires_at = invitation.created_at
    invitation.save()
    client.force_login(factories.user_create(email="bob@example.test"))

    assert client.post(link).status_code == HTTPStatus.NOT_FOUND


def test_member_cannot_invite_and_viewer_cannot_create_tokens(organization, client):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)

    client.force_login(member)
    response = client.post(
        "/settings/invitations/", {"email": "x@example.test", "role": "member"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN

    client.force_login(viewer)
    response = client.post("/settings/tokens/", {"name": "mine"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not ApiToken.objects.filter(user=viewer).exists()


def test_member_can_switch_organization(client):
    first, user = factories.organization_with_owner(name="First")
    second, _ = factories.organization_with_owner(name="Second")
    factories.member_add(organization=second, user=user)
    client.force_login(user)

    client.post("/organizations/switch/", {"organization": second.pk})
    assert b"<h1>Second</h1>" in client.get("/dashboard/").content

    client.post("/organizations/switch/", {"organization": 999999})
    assert b"<h1>Second</h1>" in client.get("/dashboard/").content


def test_token_page_shows_the_token_once(owner_client, organization):
    response = owner_client.post("/settings/tokens/", {"name": "Laptop"}, follow=True)
    raw = re.search(rb'value="(ldg_[^"]+)"', response.content)[1].decode()
    token = ApiToken.objects.get(name="Laptop")

    assert token.token_hash == ApiToken.hash(raw)
    assert raw.encode() not in owner_client.get("/settings/tokens/").content


def test_last_owner_cannot_be_demoted(organization, owner):
    from apps.accounts.services import membership_set_role

    membership = organization.memberships.get(user=owner)
    with pytest.raises(ApplicationError, match="at least one owner"):
        membership_set_role(membership=membership, target=membership, role=Role.MEMBER)


def test_create_organization_command_prints_slug(capsys):
    call_command(
        "create_organization",
        "--name",
        "Ops Team",
        "--owner",
        "ops@example.test",
        "--password",
        "pw-1234-long",
        "--plan",
        "team",
    )
    slug = capsys.readouterr().out.strip()
    organization = Organization.objects.get(slug=slug)
    assert organization.plan.slug == "team"
    assert organization.memberships.get().user.check_password("pw-1234-long")


def _create_api_token(organization, user, name):
    call_command(
        "create_api_token",
        "--org",
        organization.slug,
        "--user",
        user.email,
        "--name",
        name,
    )


def test_create_api_token_command_prints_a_working_token(organization, owner, capsys):
    _create_api_token(organization, owner, "CLI")
    raw = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(token_hash=ApiToken.hash(raw)).name == "CLI"


def test_create_api_token_command_refuses_a_long_name(organization, owner, capsys):
    with pytest.raises(
        CommandError, match=r"^The token name is 101 characters; the limit is 100\.$"
    ):
        _create_api_token(organization, owner, "n" * 101)

    assert capsys.readouterr().out == ""
    assert not ApiToken.objects.exists()


def test_members_never_reach_the_admin(owner_client):
    response = owner_client.get("/staff/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/staff/login/" in response["Location"]


def test_invitee_who_signs_up_from_the_link_joins_at_once(organization, owner, client):
    link = _invite(organization, owner, "carol@example.test")
    sent = len(mail.outbox)
    page = client.get(link)
    signup = re.search(rb'href="(/invitations/[^"]*/signup/)"', page.content)[1]

    response = client.post(
        signup.decode(),
        _sign_up_data("carol@example.test"),
        follow=True,
    )

    # The link reached the address: no confirmation mail, no second click.
    assert len(mail.outbox) == sent
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "You joined Acme IT." in response.content.decode()
    memberships = Membership.objects.filter(user__email="carol@example.test")
    assert [(m.organization, m.role) for m in memberships] == [
        (organization, Role.MEMBER)
    ]
    assert EmailAddress.objects.get(email="carol@example.test").verified
    assert client.get(link).status_code == HTTPStatus.NOT_FOUND


def test_invitee_who_signs_up_with_another_address_confirms_it_first(
    organization, owner, client
):
    link = _invite(organization, owner, "carol@example.test")

    client.post(
        f"{link}signup/",
        _sign_up_data("mallory@example.test"),
    )

    assert "confirm" in mail.outbox[-1].body.lower()
    assert not EmailAddress.objects.get(email="mallory@example.test").verified
    assert not Membership.objects.filter(
        user__email="mallory@example.test", organization=organization
    ).exists()


@pytest.mark.parametrize("page", ["", "signup/"])
def test_header_on_an_invitation_leads_back_to_it(organization, owner, client, page):
    link = _invite(organization, owner, "carol@example.test")

    header = client.get(link + page).content.decode().split("</header>")[0]

    assert f'href="{link}signup/"' in header
    assert f'href="/accounts/login/?next={link}"' in header
    assert 'href="/accounts/signup/"' not in header


def _invite(organization, owner, email):
    """Invite ``email`` as a member; return the link the invitation mail holds."""
    invitation_create(
        membership=organization.memberships.get(user=owner),
        email=email,
        role=Role.MEMBER,
    )
    return _link_in_last_mail()


def _sign_up_data(email):
    return {
        "email": email,
        "password1": factories.PASSWORD,
        "password2": factories.PASSWORD,
    }


def test_signup_asks_for_an_organization_name(client):
    response = client.get("/accounts/signup/")

    assert response.status_code == HTTPStatus.OK
    assert b'name="organization_name"' in response.content
    assert b"Organization name" in response.content


def test_signup_from_an_invitation_asks_for_no_organization_name(
    organization, owner, client
):
    link = _invite(organization, owner, "erin@example.test")

    response = client.get(f"{link}signup/")

    assert response.status_code == HTTPStatus.OK
    assert b"organization_name" not in response.content
    assert b"Organization name" not in response.content
    assert b'value="erin@example.test"' in response.content
    assert b"you join Acme IT as Member at once" in response.content


def test_signup_from_an_invitation_needs_no_organization_name(
    organization, owner, client
):
    link = _invite(organization, owner, "erin@example.test")

    response = client.post(
        f"{link}signup/",
        _sign_up_data("erin@example.test"),
    )

    assert response.status_code == HTTPStatus.FOUND
    memberships = Membership.objects.filter(user__email="erin@example.test")
    assert [m.organization for m in memberships] == [organization]
    assert not Organization.objects.filter(name__startswith="erin").exists()


def test_signup_from_a_revoked_invitation_is_refused(organization, owner, client):
    invitation, raw, _resent = invitation_create(
        membership=organization.memberships.get(user=owner),
        email="erin@example.test",
        role=Role.MEMBER,
    )
    invitation.revoked_at = invitation.created_at
    invitation.save()

    response = client.get(f"/invitations/{raw}/signup/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"This invitation is not valid" in response.content


# Failed log-ins one IP may make in five minutes, whatever the addresses.
IP_LIMIT = 50


def _fail_logins(client, count, login=None):
    for number in range(count):
        client.post(
            "/accounts/login/",
            {
                "login": login or f"nobody{number}@example.test",
                "password": "wrong password",
            },
        )


@pytest.fixture
def _many_logins_a_minute(settings):
    # allauth also caps every log-in, good or bad, at 30 a minute per IP;
    # raised here so the failed log-ins reach the limit this file is about.
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login": "1000/m/ip",
    }


def test_typos_for_one_address_lock_no_other_address_on_the_same_ip():
    typist = factories.user_create(email="typist@example.test")
    colleague = factories.user_create(email="colleague@example.test")
    office = Client(REMOTE_ADDR="203.0.113.40")
    _fail_logins(office, 5, login=typist.email)

    locked = office.post(
        "/accounts/login/", {"login": typist.email, "password": factories.PASSWORD}
    )
    let_in = office.post(
        "/accounts/login/",
        {"login": colleague.email, "password": factories.PASSWORD},
    )

    assert b"Too many failed log-ins. Try again in five minutes" in locked.content
    assert let_in.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in office.session


@pytest.mark.usefixtures("_many_logins_a_minute")
def test_an_ip_guessing_across_addresses_is_locked_at_its_limit():
    user = factories.user_create(email="sprayed@example.test")
    credentials = {"login": user.email, "password": factories.PASSWORD}
    sprayer = Client(REMOTE_ADDR="203.0.113.41")
    _fail_logins(sprayer, IP_LIMIT - 1)

    before = sprayer.post("/accounts/login/", {**credentials, "password": "x"})
    throttled = sprayer.post("/accounts/login/", credentials)

    assert b"Too many failed log-ins. Try again in five minutes" not in before.content
    assert b"Too many failed log-ins. Try again in five minutes" in throttled.content
    assert "_auth_user_id" not in sprayer.session


@pytest.mark.usefixtures("_many_logins_a_minute")
def test_login_throttle_behind_a_proxy_counts_each_client(settings):
    settings.LEDGERIUM_TRUSTED_PROXIES = 1
    user = factories.user_create(email="proxied@example.test")
    guesser = Client(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.31")
    other = Client(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.32")
    _fail_logins(guesser, IP_LIMIT)
    credentials = {"login": user.email, "password": factories.PASSWORD}

    throttled = guesser.post("/accounts/login/", credentials)
    let_in = other.post("/accounts/login/", credentials)

    assert b"Too many failed log-ins. Try again in five minutes" in throttled.content
    assert let_in.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in other.session


@pytest.mark.parametrize("chosen", ["²", "①", "١", "99999999999999999999999", "-1"])
def test_organization_switch_to_a_number_that_is_no_id_keeps_the_current_one(
    client, chosen
):
    organization, user = factories.organization_with_owner(name="First")
    client.force_login(user)

    response = client.post("/organizations/switch/", {"organization": chosen})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/dashboard/"
    assert b"<h1>First</h1>" in client.get("/dashboard/").content
