"""A form that posts is sent once, however its button is pressed: in Chromium."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from apps.accounts.models import ApiToken, Invitation, InvitationLink, Role
from apps.accounts.services import api_token_create
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENT = "Invitation sent to newagent@example.org."


class SlowEmailBackend(locmem.EmailBackend):
    """Keep mail in memory, taking as long as a distant mail server."""

    def send_messages(self, messages):
        time.sleep(2)
        return super().send_messages(messages)


@pytest.fixture
def slow_mail(settings):
    """Make the invitation's answer wait on its mail, so that the page is
    seen while it is awaited, as when a real mail server is slow to answer."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowEmailBackend"


def double_click(page, button):
    """Click ``button`` twice as a person does: the second click comes once
    the first has sent the form, which Playwright's dblclick is too quick for.
    """
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


def _link_in(message):
    return urlsplit(re.search(r"https?://\S+", message.body)[0]).path


def test_double_click_sends_one_invitation_whose_link_works(
    browser, context, page, live_server, slow_mail
):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page.goto("/settings/members/")
    page.get_by_label("Email address").fill("newagent@example.org")

    double_click(page, page.get_by_role("button", name="Send invitation"))
    said = page.locator(".message", has_text="Invitation sent")
    said.wait_for()
    # A second post, had one gone, would be answered by now as well.
    page.wait_for_timeout(500)
    newcomer = factories.user_create(email="newagent@example.org")
    newcomer_context = browser.new_context(base_url=live_server.url)
    log_in(newcomer_context, newcomer, live_server)
    invited = newcomer_context.new_page()
    invited.goto(_link_in(mail.outbox[0]))
    invited.get_by_role("button", name="Accept invitation").click()
    invited.get_by_text("You joined Acme IT.").wait_for()
    newcomer_context.close()

    assert len(mail.outbox) == 1
    assert said.inner_text() == SENT
    assert InvitationLink.objects.count() == 1
    assert Invitation.objects.get().accepted_at is not None
    assert organization.memberships.get(user=newcomer).role == Role.MEMBER
    assert page.console_errors == []


def test_enter_pressed_twice_sends_one_invitation(
    context, page, live_server, slow_mail
):
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page.goto("/settings/members/")
    page.get_by_label("Email address").fill("newagent@example.org")

    page.keyboard.press("Enter")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.locator(".message", has_text="Invitation sent").wait_for()
    page.wait_for_timeout(500)

    assert len(mail.outbox) == 1


# Run in one call: Playwright holds back a call into the page while the page
# navigates, so a page waiting for the server's answer is seen only from a
# call made before the form is sent.
SEND_AND_SHOW_AGAIN = """async () => {
  const form = document.querySelector('form[action="/settings/invitations/"]');
  const button = form.querySelector('button');
  const states = [button.disabled];
  form.requestSubmit(button);
  await new Promise((resolve) => setTimeout(resolve, 50));
  states.push(button.disabled);
  window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}));
  states.push(button.disabled);
  return states;
}"""


def test_refused_field_leaves_the_button_ready(context, page, live_server):
    """A field the browser refuses stops the form before anything is sent."""
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page.goto("/settings/members/")
    button = page.get_by_role("button", name="Send invitation")
    page.get_by_label("Email address").fill("not an address")

    button.click()
    page.wait_for_timeout(200)
    refused_enabled = button.is_enabled()
    page.get_by_label("Email address").fill("newagent@example.org")
    button.click()
    page.get_by_text(SENT).wait_for()

    assert refused_enabled
    assert len(mail.outbox) == 1


def test_dismissed_confirm_leaves_the_button_ready(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    api_token_create(
        membership=organization.memberships.get(user=owner), name="Nightly"
    )
    log_in(context, owner, live_server)
    page.goto("/settings/tokens/")
    revoke = page.get_by_role("button", name="Revoke", exact=True)

    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    page.wait_for_timeout(200)
    dismissed_enabled = revoke.is_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    page.get_by_text("Token Nightly revoked.").wait_for()

    assert dismissed_enabled
    assert not ApiToken.objects.filter(revoked_at=None).exists()
    assert page.console_errors == []


def test_button_is_disabled_once_sent_and_ready_when_shown_again_from_history(
    context, page, live_server, slow_mail
):
    """A page the browser kept whole, as its back-forward cache does, and
    shows again on Back offers its buttons again."""
    _organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page.goto("/settings/members/")
    page.get_by_label("Email address").fill("newagent@example.org")

    states = page.evaluate(SEND_AND_SHOW_AGAIN)

    assert states == [False, True, False]
