"""Record in Debian's Chromium with the unpacked recorder extension loaded.

The extension uploads to pytest-django's live server through ``Outage``, a
loopback relay the tests can switch off to take the network away. The pages
it records are this folder's ``pages/``, served on their own loopback port
so they are another origin than the server, as an ITSM would be.
"""

import functools
import http.server
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

EXTENSION = Path(settings.BASE_DIR) / "extension"
PAGES = Path(__file__).parent / "pages"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop in this thread; the ORM calls the
# tests make between browser steps are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def pages_url():
    """Serve ``pages/`` on 127.0.0.1; return the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Outage:
    """A loopback TCP relay to the live server that can be switched off.

    Off, it closes its listening socket and every open connection, so the
    extension sees a refused connection, as with a server that is down.
    """

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = None
        self.connections = set()
        self.lock = threading.Lock()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"

    def up(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self):
        listener, self.listener = self.listener, None
        if listener is not None:
            # close() alone leaves a socket listening while accept() blocks on
            # it; shutdown() stops it at once.
            _close(listener)
        with self.lock:
            for connection in list(self.connections):
                _close(connection)
            self.connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink), daemon=True
                ).start()

    def _pipe(self, source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(connection):
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


@pytest.fixture
def server(live_server):
    """Return the relay in front of the live server, switched on."""
    port = int(live_server.url.rsplit(":", 1)[1])
    outage = Outage(port)
    outage.up()
    yield outage
    outage.down()


class Recorder:
    """The extension in a running browser, driven as the agent would.

    ``panel`` is the extension's popup page opened in a tab: the same page
    and the same messages as the toolbar popup.
    """

    def __init__(self, context, extension_id):
        self.context = context
        self.extension_id = extension_id
        self.panel = context.new_page()
        self.panel_errors = []
        self.panel.on("pageerror", lambda error: self.panel_errors.append(str(error)))
        self.panel.on(
            "console",
            lambda message: (
                message.type == "error" and self.panel_errors.append(message.text)
            ),
        )
        self.panel.goto(f"chrome-extension://{extension_id}/popup/popup.html")

    def send(self, message):
        reply = self.panel.evaluate("(m) => chrome.runtime.sendMessage(m)", message)
        assert reply["ok"], reply
        return reply

    def storage(self):
        return self.panel.evaluate("() => chrome.storage.local.get(null)")

    def state(self):
        return self.send({"type": "get-state"})

    def tab_id(self, url):
        """Return the browser's id of the tab showing ``url``."""
        return self.panel.evaluate(
            "async (url) => (await chrome.tabs.query({})).find("
            "(tab) => tab.url === url).id",
            url,
        )

    def stored_events(self):
        stored = self.storage()
        keys = sorted(key for key in stored if key.startswith("event:"))
        return [stored[key] for key in keys]

    def stop_worker(self, page):
        """Stop the extension's service worker, as the browser does when idle.

        Wait until the browser reports it stopped, so that a test cannot pass
        on a worker that kept running.
        """
        script = f"chrome-extension://{self.extension_id}/service-worker.js"
        statuses = []
        session = self.context.new_cdp_session(page)
        session.on(
            "ServiceWorker.workerVersionUpdated",
            lambda update: statuses.extend(
                version["runningStatus"]
                for version in update["versions"]
                if version["scriptURL"] == script
            ),
        )
        session.send("ServiceWorker.enable")
        session.send("ServiceWorker.stopAllWorkers")
        deadline = time.monotonic() + 10
        while "stopped" not in statuses and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        session.detach()
        assert "stopped" in statuses, f"the worker did not stop: {statuses}"

    def wait_for(self, predicate, timeout=60, message="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        steps = [
            (e["seq"], e["type"], e.get("name") or e.get("label") or e.get("title"))
            for e in self.stored_events()
        ]
        raise AssertionError(
            f"Timed out waiting for {message}; extension state: "
            f"{json.dumps(self.state(), indent=1)[:3000]}; events: {steps}"
        )


@pytest.fixture
def launch(tmp_path, playwright):
    """Return a function that starts Chromium (new headless) with the unpacked
    extension on a profile folder, and gives its ``Recorder``; the same
    folder again is the same browser after a restart."""
    contexts = []

    def start(profile=tmp_path / "profile", extension=EXTENSION):
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=settings.CHROMIUM_PATH,
            headless=True,
            ignore_default_args=["--disable-extensions"],
            args=[
                *CHROMIUM_ARGS,
                f"--disable-extensions-except={extension}",
                f"--load-extension={extension}",
            ],
        )
        contexts.append(context)
        context.set_default_timeout(15000)
        worker = (
            context.service_workers[0]
            if context.service_workers
            else context.wait_for_event("serviceworker")
        )
        return Recorder(context, worker.url.split("/")[2])

    yield start
    for context in contexts:
        context.close()


@pytest.fixture
def recorder(launch):
    return launch()
