"""A destructive button asks in a dialog before it posts: in Chromium."""

import pytest

from apps.accounts.models import ApiToken, Role
from apps.accounts.services import api_token_create
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# A viewer revokes a token made before being made viewer.
@pytest.mark.parametrize("role", [Role.OWNER, Role.VIEWER])
def test_revoke_token_acts_only_once_the_dialog_is_accepted(
    context, page, live_server, role
):
    organization, user = factories.organization_with_owner(name="Acme IT")
    if role != Role.OWNER:
        user = factories.member_add(organization=organization, role=Role.MEMBER)
    membership = organization.memberships.get(user=user)
    token, _raw = api_token_create(membership=membership, name="Nightly")
    membership.role = role
    membership.save()
    log_in(context, user, live_server)
    page.goto("/settings/tokens/")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Revoke", exact=True).click()
    kept = ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke", exact=True).click()
    page.get_by_text("Token Nightly revoked.").wait_for()

    assert questions == [
        "Revoke the token Nightly? Whatever uses it stops working at once."
    ]
    assert kept
    assert not ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists()
    assert page.console_errors == []
