"""Connect the real recorder extension from the dashboard, in Chromium.

The extension loads from a copy of ``extension/`` into a persistent context,
as the notes on Chromium under Playwright require. The test clicks what a
person clicks, accepts the extension's own confirmation, and reads the
stored connection back from the extension's storage.
"""

import shutil

import pytest
from django.conf import settings

from apps.accounts.models import ApiToken
from tests import factories
from tests.browser.conftest import DESKTOP, log_in

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


def test_dashboard_connects_the_installed_extension(extension_context, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    log_in(extension_context, owner, live_server)
    page = extension_context.new_page()
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto("/dashboard/")
    page.get_by_text("Extension installed (version").wait_for()
    page.get_by_role("button", name="Connect the extension").click()
    page.get_by_text("Connected.").wait_for()

    assert len(dialogs) == 1 and live_server.url in dialogs[0]
    stored = extension_context.extension_worker.evaluate(
        "async () => (await chrome.storage.local.get('connection')).connection"
    )
    assert stored["server"] == live_server.url
    token = ApiToken.objects.get(token_hash=ApiToken.hash(stored["token"]))
    assert token.user == owner and token.organization == organization
