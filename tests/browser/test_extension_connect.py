"""Connect the real recorder extension from the dashboard, and record, in Chromium.

The extension loads from a copy of ``extension/`` into a persistent context,
as the notes on Chromium under Playwright require. The tests click what a
person clicks, accept the extension's own confirmation, and read what the
extension stored back from its storage.
"""

import http.server
import shutil
import threading

import pytest
from django.conf import settings

from apps.accounts.models import ApiToken
from apps.recordings.models import Event, Recording
from tests import factories
from tests.browser.conftest import DESKTOP, log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTENSION_SOURCE = settings.BASE_DIR / "extension"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STEP_COUNT = "document.getElementById('step-count').textContent"
TOOL_PAGE = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    b"<title>INC0010042 | Acme ITSM</title></head><body>"
    b"<button type='button'>Acknowledge</button></body></html>"
)


class _ToolPage(http.server.BaseHTTPRequestHandler):
    """Answer every GET with one ticket page, as another tool would."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(TOOL_PAGE)))
        self.end_headers()
        self.wfile.write(TOOL_PAGE)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def tool_url():
    """Serve the ticket page on its own loopback port: another origin."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ToolPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/incident/INC0010042"
    server.shutdown()
    server.server_close()


@pytest.fixture
def extension_context(tmp_path, live_server, playwright):
    if not (EXTENSION_SOURCE / "manifest.json").is_file():
        pytest.fail("extension/manifest.json is missing: the recorder is not built")
    unpacked = tmp_path / "extension"
    shutil.copytree(
        EXTENSION_SOURCE,
        unpacked,
        ignore=shutil.ignore_patterns("node_modules", "test"),
    )
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=settings.CHROMIUM_PATH,
        headless=True,
        base_url=live_server.url,
        viewport=DESKTOP,
        ignore_default_args=["--disable-extensions"],
        args=[
            *CHROMIUM_ARGS,
            f"--disable-extensions-except={unpacked}",
            f"--load-extension={unpacked}",
        ],
    )
    context.set_default_timeout(15000)
    worker = context.service_workers[0] if context.service_workers else None
    context.extension_worker = worker or context.wait_for_event("serviceworker")
    yield context
    context.close()


def connect_from_dashboard(context, live_server):
    """Log in, connect the extension from the dashboard; return the page and
    the confirmations the extension asked for."""
    organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(context, owner, live_server)
    page = context.new_page()
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto("/dashboard/")
    page.get_by_text("Extension installed (version").wait_for()
    page.get_by_role("button", name="Connect the extension").click()
    page.get_by_text("Connected.").wait_for()
    page.owner, page.organization = owner, organization
    return page, dialogs


def test_dashboard_connects_the_installed_extension(extension_context, live_server):
    page, dialogs = connect_from_dashboard(extension_context, live_server)
    owner, organization = page.owner, page.organization

    assert len(dialogs) == 1 and live_server.url in dialogs[0]
    stored = extension_context.extension_worker.evaluate(
        "async () => (await chrome.storage.local.get('connection')).connection"
    )
    assert stored["server"] == live_server.url
    token = ApiToken.objects.get(token_hash=ApiToken.hash(stored["token"]))
    assert token.user == owner and token.organization == organization


def test_recording_never_takes_the_pages_of_ledgerium_itself(
    extension_context, live_server, tool_url
):
    page, _dialogs = connect_from_dashboard(extension_context, live_server)
    extension_id = extension_context.extension_worker.url.split("/")[2]
    panel = extension_context.new_page()
    panel.goto(f"chrome-extension://{extension_id}/popup/popup.html")

    def stored():
        return panel.evaluate("() => chrome.storage.local.get(null)")

    def events():
        everything = stored()
        return [everything[key] for key in sorted(everything) if key[:6] == "event:"]

    # As a new user does: start while the Ledgerium page is the tab in front,
    # look around Ledgerium, then go to the ticket.
    tab_id = panel.evaluate(
        "async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id",
        page.url,
    )
    panel.evaluate(
        "(tabId) => chrome.runtime.sendMessage({type: 'start', tabId, title: 'VPN'})",
        tab_id,
    )
    panel.locator("#step-count").wait_for()
    page.get_by_role("link", name="Workflows", exact=True).click()
    page.wait_for_url("**/workflows/")
    page.goto(tool_url)
    wait_until(panel, f"() => {STEP_COUNT} === '1 step'")
    page.get_by_role("button", name="Acknowledge").click()
    wait_until(panel, f"() => {STEP_COUNT} === '2 steps'")
    recorded = events()

    panel.click("#stop")
    panel.get_by_role("button", name="Finish and generate").click()
    link = panel.get_by_role("link", name="See it in Ledgerium")
    link.wait_for()

    tool = tool_url.rsplit("/incident/", 1)[0]
    assert [(e["type"], e["origin"]) for e in recorded] == [
        ("navigation", tool),
        ("click", tool),
    ]
    recording = Recording.objects.get(id=stored()["lastResult"]["id"])
    kept = Event.objects.filter(recording=recording)
    assert sorted(kept.values_list("data__origin", flat=True)) == [tool, tool]
    assert link.get_attribute("href") == (
        f"{live_server.url}/recordings/{recording.pk}/"
    )
