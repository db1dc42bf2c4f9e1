"""A value shown once can be copied with one click: in Chromium."""

import pytest

from apps.accounts.models import ApiToken
from tests import factories
from tests.browser.conftest import axe, log_in, secret_field_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_token_is_copied_to_the_clipboard(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(context, owner, live_server)
    page.goto("/settings/tokens/")
    page.get_by_label("Name").fill("Nightly export")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").input_value()
    widths = secret_field_widths(page)
    assert widths["field"] == widths["card"]
    assert widths["button"] < 120

    page.get_by_role("button", name="Copy", exact=True).click()
    page.get_by_text("Copied.").wait_for()

    assert token.startswith("ldg_")
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert axe(page) == []
    # A refresh neither makes a second token nor shows this one again.
    page.reload()
    page.get_by_text("A token is shown only once").wait_for()
    assert token not in page.content()
    assert ApiToken.objects.filter(organization=organization).count() == 1
    assert page.console_errors == []
