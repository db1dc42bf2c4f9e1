"""Each role sees the controls it may use, and no others."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import Membership, Role
from apps.accounts.services import api_token_create
from apps.workflows.models import SystemRule
from tests import factories
from tests.web.test_unrecognised_systems import _local_recording
from tests.workflows.conftest import build_sample

pytestmark = pytest.mark.django_db

EDITORS = (Role.OWNER, Role.ADMIN, Role.MEMBER)
POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.S)
ACTION = re.compile(r'action="([^"]*)"')
# What a viewer may post anywhere: log out, switch organization, name oneself.
VIEWER_POSTS = {"/accounts/logout/", "/organizations/switch/", "/settings/profile/"}


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _client(organization, role):
    if role == Role.OWNER:
        user = organization.memberships.get(role=Role.OWNER).user
    else:
        user = factories.member_add(organization=organization, role=role)
    client = Client()
    client.force_login(user)
    return client


def _rule(organization):
    return SystemRule.objects.create(
        organization=organization, host_pattern="*.corp.example", name="Corp portal"
    )


def _posts_to(page, path):
    """Return where each form of ``page`` posts, a form without action to ``path``."""
    targets = set()
    for form in POST_FORM.findall(page):
        action = ACTION.search(form)
        targets.add(action[1] if action else path)
    return targets


@pytest.mark.parametrize("role", [*EDITORS, Role.VIEWER])
def test_systems_page_offers_add_and_delete_to_editors_only(organization, role):
    rule = _rule(organization)
    client = _client(organization, role)

    response = client.get("/workflows/systems/")
    page = response.content.decode()

    editor = role in EDITORS
    assert response.status_code == HTTPStatus.OK
    assert "Corp portal" in page
    assert ("Add rule" in page) is editor
    assert (f"/workflows/systems/{rule.pk}/delete/" in page) is editor
    assert ('name="host_pattern"' in page) is editor
    assert ("Only owners, admins and members add and delete rules." in page) is (
        not editor
    )


def test_systems_page_opened_from_a_workflow_offers_a_viewer_no_generate_again(
    organization,
):
    workflow = build_sample(organization, _local_recording(organization))
    client = _client(organization, Role.VIEWER)

    page = client.get(
        "/workflows/systems/",
        {"next": workflow.get_absolute_url(), "workflow": workflow.pk},
    ).content.decode()

    assert f'<a href="/workflows/{workflow.pk}/">' in page
    assert "/regenerate/" not in page


def test_viewer_tokens_page_lists_own_tokens_to_revoke_and_nothing_to_create(
    organization,
):
    viewer = factories.member_add(organization=organization, role=Role.MEMBER)
    membership = Membership.objects.get(user=viewer)
    token, _raw = api_token_create(membership=membership, name="Nightly export")
    membership.role = Role.VIEWER
    membership.save()
    client = Client()
    client.force_login(viewer)

    response = client.get("/settings/tokens/")
    page = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert "Nightly export" in page
    revoke = f"/settings/tokens/{token.pk}/revoke/"
    assert _posts_to(page, "/settings/tokens/") - VIEWER_POSTS == {revoke}
    assert "Create token" not in page
    assert 'name="name"' not in page
    assert '<a href="/settings/tokens/" aria-current="page">API tokens</a>' in page
    assert (
        "Viewers cannot create API tokens. Yours act with your current role, "
        "Viewer: they read but change nothing. Revoke any you no longer need."
    ) in page


def test_tokens_page_says_a_token_acts_with_its_owners_current_role(owner_client):
    page = owner_client.get("/settings/tokens/").content.decode()

    assert (
        "A token acts with its owner’s role at the time it is used: it follows "
        "a change of role, and removing someone from Acme IT revokes their "
        "tokens."
    ) in page


@pytest.mark.parametrize("role", EDITORS)
def test_editor_tokens_page_offers_create_and_revoke(organization, role):
    client = _client(organization, role)
    client.post("/settings/tokens/", {"name": "Nightly export"})

    page = client.get("/settings/tokens/").content.decode()

    assert "Create token" in page
    assert re.search(r'action="/settings/tokens/\d+/revoke/"', page)


def _role_options(page, select_id):
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S)[0]
    return re.findall(r'<option value="(\w+)"', select)


def test_admin_is_offered_no_change_to_an_owner_and_no_owner_role(organization):
    owner = organization.memberships.get(role=Role.OWNER)
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    member_membership = Membership.objects.get(user=member)
    client = _client(organization, Role.ADMIN)

    page = client.get("/settings/members/").content.decode()

    assert f'action="/settings/members/{owner.pk}/"' not in page
    assert "Only an owner can change an owner’s role or remove them." in page
    assert _role_options(page, f"role-{member_membership.pk}") == [
        "admin",
        "member",
        "viewer",
    ]
    assert _role_options(page, "id_role") == ["admin", "member", "viewer"]


def test_owner_is_offered_every_role(organization):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    member_membership = Membership.objects.get(user=member)
    client = _client(organization, Role.OWNER)

    page = client.get("/settings/members/").content.decode()

    every = ["owner", "admin", "member", "viewer"]
    assert _role_options(page, f"role-{member_membership.pk}") == every
    assert _role_options(page, "id_role") == every


def test_admin_asking_to_invite_an_owner_is_refused_at_the_role(organization):
    client = _client(organization, Role.ADMIN)

    response = client.post(
        "/settings/invitations/", {"email": "new@example.test", "role": Role.OWNER}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "role" in response.context["invitation_form"].errors
    assert not organization.invitations.exists()


def test_viewer_is_offered_nothing_to_post_but_what_it_may(organization):
    recording = _local_recording(organization)
    workflow = build_sample(organization, recording)
    _rule(organization)
    client = _client(organization, Role.VIEWER)
    paths = [
        "/dashboard/",
        "/workflows/",
        workflow.get_absolute_url(),
        f"{workflow.get_absolute_url()}versions/",
        f"/recordings/{recording.pk}/",
        "/workflows/systems/",
        "/settings/members/",
        "/settings/profile/",
        "/settings/tokens/",
        "/extension/",
        "/search/?q=helpdesk",
        "/incidents/",
    ]

    for path in paths:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert _posts_to(response.content.decode(), path) <= VIEWER_POSTS, path
