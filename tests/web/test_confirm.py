"""A destructive form asks once more before it acts, with or without scripts."""

import re
from http import HTTPStatus

import pytest

from apps.accounts.models import ApiToken, Membership, Role
from apps.accounts.services import api_token_create
from apps.recordings.models import Recording, RecordingStatus
from tests import factories
from tests.sharing.helpers import SAMPLE

pytestmark = pytest.mark.django_db


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CANCEL = re.compile(r'<a href="([^"]*)">Cancel</a>')


def _hidden_fields(page):
    return {
        name: value
        for name, value in HIDDEN.findall(page)
        if name != "csrfmiddlewaretoken"
    }


def test_delete_recording_without_confirming_asks_and_keeps_it(
    organization, owner_client
):
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.get(organization=organization)

    response = owner_client.post(f"/recordings/{recording.pk}/delete/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Are you sure?" in page
    assert _hidden_fields(page) == {"confirmed": "yes"}
    recording.refresh_from_db()
    assert recording.status != RecordingStatus.DISCARDED


def test_recording_page_asks_before_delete_in_the_browser(organization, owner_client):
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.get(organization=organization)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    form = re.search(
        rf'action="/recordings/{recording.pk}/delete/"[^>]*data-confirm="([^"]+)"',
        page,
    )
    assert "cannot be undone" in form.group(1)


def test_remove_member_asks_then_reposts_the_same_fields(organization, owner_client):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    target = Membership.objects.get(user=member)
    url = f"/settings/members/{target.pk}/"

    asked = owner_client.post(url, {"action": "remove", "role": "member"})
    fields = _hidden_fields(asked.content.decode())
    done = owner_client.post(url, fields, follow=True)

    assert member.email in asked.content.decode()
    assert fields == {"action": "remove", "role": "member", "confirmed": "yes"}
    assert done.status_code == HTTPStatus.OK
    assert f"{member.email} was removed." in done.content.decode()
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_role_change_needs_no_confirmation(organization, owner_client):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    target = Membership.objects.get(user=member)

    owner_client.post(
        f"/settings/members/{target.pk}/", {"action": "role", "role": "admin"}
    )

    target.refresh_from_db()
    assert target.role == Role.ADMIN


def test_revoke_token_asks_first(organization, owner, owner_client):
    token, _raw = api_token_create(
        membership=organization.memberships.get(user=owner), name="Nightly"
    )
    url = f"/settings/tokens/{token.pk}/revoke/"

    asked = owner_client.post(url, HTTP_REFERER="http://testserver/settings/tokens/")
    still_active = ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()
    owner_client.post(url, {"confirmed": "yes"})

    page = asked.content.decode()
    assert "Revoke the token Nightly?" in page
    assert CANCEL.findall(page) == ["http://testserver/settings/tokens/"]
    assert still_active
    assert not ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()


def test_cancel_ignores_a_referer_from_another_site(organization, owner, owner_client):
    token, _raw = api_token_create(
        membership=organization.memberships.get(user=owner), name="Nightly"
    )

    asked = owner_client.post(
        f"/settings/tokens/{token.pk}/revoke/", HTTP_REFERER="https://example.com/x"
    )

    assert CANCEL.findall(asked.content.decode()) == ["/settings/tokens/"]
