"""The extension page's half of the connect protocol, in a real browser.

The browser here has no extension: the test itself plays the extension's
part on the window-message channel, so what is checked is exactly what the
page sends and how it shows each answer. The extension's own tests load the
real extension against this page.
"""

import pytest

from apps.accounts.models import ApiToken
from tests import factories
from tests.browser.conftest import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """() => {
  window.seen = [];
  window.addEventListener('message', (event) => {
    if (event.source === window) window.seen.push(event.data);
  });
}"""


@pytest.fixture
def member_page(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page.goto("/extension/")
    page.evaluate(LISTEN)
    page.owner = owner
    return page


PONG = (
    "() => window.postMessage({type: 'ledgerium:pong', version: '1.2.3'},"
    " location.origin)"
)


def _connect_request(page):
    page.evaluate(PONG)
    page.get_by_text("Extension installed (version 1.2.3).").wait_for()
    page.get_by_role("button", name="Connect the extension").click()
    wait_until(page, "() => window.seen.some((m) => m.type === 'ledgerium:connect')")
    return page.evaluate(
        "() => window.seen.find((m) => m.type === 'ledgerium:connect')"
    )


def test_connect_hands_a_fresh_token_to_this_origin(member_page, live_server):
    message = _connect_request(member_page)

    assert message["server"] == live_server.url
    token = ApiToken.objects.get(token_hash=ApiToken.hash(message["token"]))
    assert token.user == member_page.owner
    assert token.source == ApiToken.Source.CONNECT


def test_connect_shows_the_extension_answer(member_page, live_server):
    _connect_request(member_page)
    member_page.evaluate(
        "(server) => window.postMessage({type: 'ledgerium:connected', server},"
        " location.origin)",
        live_server.url,
    )

    status = member_page.locator("[data-extension-status]")
    status.get_by_text("Connected.").wait_for()
    assert member_page.locator("#connect-token").count() == 0


def test_connect_shows_a_refusal_with_its_reason(member_page):
    _connect_request(member_page)
    member_page.evaluate(
        "() => window.postMessage({type: 'ledgerium:connect-refused',"
        " reason: 'server-is-not-this-page'}, location.origin)"
    )

    member_page.get_by_text(
        "The extension refused: server-is-not-this-page."
    ).wait_for()


def test_connect_without_an_extension_offers_the_token_to_paste(member_page):
    message = _connect_request(member_page)

    member_page.locator("#connect-token").wait_for()
    assert member_page.input_value("#connect-token") == message["token"]
    assert member_page.get_by_text("No answer from the extension.").is_visible()


def test_presence_reports_an_installed_extension(member_page):
    member_page.evaluate(PONG)

    member_page.get_by_text("Extension installed (version 1.2.3).").wait_for()


def test_presence_says_when_no_extension_answers(member_page):
    member_page.get_by_text("not installed in this browser yet").wait_for()


def test_connect_without_an_extension_mints_nothing(member_page):
    member_page.get_by_role("button", name="Connect the extension").click()

    status = member_page.locator("[data-extension-status]")
    status.get_by_text("The extension did not answer").wait_for()
    assert status.get_by_role("link", name="Install it").get_attribute("href") == (
        "/extension/#install-heading"
    )
    assert status.get_by_role("link", name="API tokens page").is_visible()
    seen = member_page.evaluate("() => window.seen.map((m) => m.type)")
    assert "ledgerium:connect" not in seen
    assert not ApiToken.objects.exists()
