"""Every page we own shows "4 Dec 2026" for a date and "4 Dec 2026, 11:14"
for a date-time."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from apps.accounts.models import ApiToken, Invitation, Role
from apps.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 4, 11, 14, tzinfo=UTC)


def test_date_and_date_time_formats_replace_the_english_ones():
    rendered = Template(
        '{{ moment }}|{{ moment|date }}|{{ moment|date:"DATE_FORMAT" }}'
    ).render(Context({"moment": MOMENT}))

    assert rendered == "4 Dec 2026, 11:14|4 Dec 2026|4 Dec 2026"


def test_token_list_shows_created_and_last_used_as_date_times(
    organization, owner, owner_client
):
    api_token_create(membership=organization.memberships.get(user=owner), name="CI")
    ApiToken.objects.update(created_at=MOMENT, last_used_at=MOMENT)

    page = owner_client.get("/settings/tokens/").content.decode()

    assert page.count("<td>4 Dec 2026, 11:14</td>") == 2


def test_pending_invitation_shows_its_expiry_as_a_date(
    organization, owner, owner_client
):
    owner_client.post(
        "/settings/invitations/", {"email": "new@example.test", "role": Role.MEMBER}
    )
    Invitation.objects.update(expires_at=MOMENT.replace(year=2036))

    page = owner_client.get("/settings/members/").content.decode()

    assert "expires 4 Dec 2036" in page
