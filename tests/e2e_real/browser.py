"""Debian's Chromium with the project's extension, and the popup as the agent.

The extension is copied, file by file as ``extension/build.js`` packs it,
into ``var/e2e-real/extension`` so Chromium loads exactly what ships, from a
path that keeps its id stable between runs.
"""

import shutil
import time
from urllib.parse import urlparse

from tests.e2e_real import incident, tools

CHROMIUM = "/usr/bin/chromium"
EXTENSION_SOURCE = tools.ROOT / "extension"
SHIPPED = ("manifest.json", "service-worker.js", "lib", "content", "popup", "icons")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_S = 60


class RecorderError(AssertionError):
    """The extension did not do what the agent asked; the message says what."""


def extension_copy():
    """Return a fresh copy of the shipped extension files."""
    target = tools.fresh_folder("extension")
    names = list(SHIPPED) + sorted(
        path.name for path in EXTENSION_SOURCE.glob("sw-*.js")
    )
    for name in names:
        source = EXTENSION_SOURCE / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def launch(driver, *, profile, extension):
    """Return ``(context, extension_id)`` for Chromium with ``extension``."""
    context = driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        ignore_default_args=["--disable-extensions"],
        args=CHROMIUM_ARGS
        + [
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
        ],
    )
    workers = context.service_workers
    worker = workers[0] if workers else context.wait_for_event("serviceworker")
    return context, urlparse(worker.url).hostname


class ExtensionRecorder(incident.Recorder):
    """Drive the extension through its popup, open in a window of its own.

    The popup normally opens over the tab being recorded and starts on the
    active tab. A test cannot open the toolbar popup, so it opens the same
    page in its own window and names the tab to record in the START
    message, exactly what the popup's own Start button sends.
    """

    def __init__(self, context, extension_id):
        self.context = context
        self.base = f"chrome-extension://{extension_id}"
        self.popup = self._open_popup()

    def _open_popup(self):
        with self.context.expect_page() as opened:
            self.context.service_workers[0].evaluate(
                "url => chrome.windows.create({url, focused: false})",
                f"{self.base}/popup/popup.html",
            )
        popup = opened.value
        popup.wait_for_load_state()
        popup.set_default_timeout(incident.ACTION_TIMEOUT_MS)
        return popup

    def state(self):
        reply = self.popup.evaluate(
            "() => chrome.runtime.sendMessage({type: 'get-state'})"
        )
        if not reply.get("ok"):
            raise RecorderError(f"The recorder refused get-state: {reply}")
        return reply

    def connect(self, server, token):
        self.popup.locator("#server").fill(server)
        self.popup.locator("#token").fill(token)
        self.popup.get_by_role("button", name="Connect").click()
        self.wait_for(lambda s: s["connection"], "the connection to be stored")

    def start(self, page, title=""):
        tab_id = self.popup.evaluate(
            """async (href) => {
                const tabs = await chrome.tabs.query({});
                return tabs.find((tab) => tab.url === href)?.id ?? null;
            }""",
            page.url,
        )
        if tab_id is None:
            raise RecorderError(f"No tab shows {page.url}.")
        reply = self.popup.evaluate(
            "([tabId, title]) => chrome.runtime.sendMessage({type: 'start', tabId, title})",
            [tab_id, title],
        )
        if not reply.get("ok"):
            raise RecorderError(f"The recorder refused to start: {reply}")
        return self.wait_for(lambda s: s["recording"], "the recording to start")

    def mark_phase(self, phase):
        before = self._total()
        self.popup.locator(f'#phases button[data-phase="{phase}"]').click()
        self.wait_for(lambda s: self._total(s) > before, f"the {phase} mark")

    def add_note(self, text):
        before = self._total()
        self.popup.locator("#note").fill(text)
        self.popup.get_by_role("button", name="Add note").click()
        self.wait_for(lambda s: self._total(s) > before, "the note")

    def stop(self):
        self.popup.locator("#stop").click()
        return self.wait_for(
            lambda s: (s["recording"] or {}).get("state") == "review", "review"
        )

    def finish(self):
        """Finish, and return the last result once everything is uploaded."""
        self.popup.locator("#finish").click()
        state = self.wait_for(
            lambda s: s["recording"] is None or s["recording"]["upload"]["lastError"],
            "the upload to finish",
        )
        if state["recording"] is not None:
            raise RecorderError(
                f"The upload failed: {state['recording']['upload']['lastError']}"
            )
        return state["lastResult"]

    def _total(self, state=None):
        state = state or self.state()
        return (state["recording"] or {}).get("total", 0)

    def wait_for(self, check, what, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        state = self.state()
        while not check(state):
            if time.monotonic() > deadline:
                raise RecorderError(f"Timed out waiting for {what}; state: {state}")
            time.sleep(0.1)
            state = self.state()
        return state
