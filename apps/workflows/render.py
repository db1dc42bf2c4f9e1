"""Render Mermaid source to SVG with Mermaid itself, in Debian's Chromium.

A page that has loaded ``mermaid.min.js`` is kept open per thread and asked
for one diagram after another: starting a browser costs a second and a
half, a render on a warm page tens of milliseconds. The page also draws
the arrows between a map's lanes with ``static/js/lane-links.js``, as the
workflow page does. With ``MERMAID_INK_SERVER`` set the SVG comes from that
server instead, without those arrows.
"""

import logging
import queue
import re
import threading
import urllib.request
from base64 import urlsafe_b64encode
from concurrent.futures import Future
from pathlib import Path

logger = logging.getLogger(__name__)

INITIALIZE = """() => {
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    htmlLabels: false,
    flowchart: {htmlLabels: false},
    maxTextSize: 5000000,
    maxEdges: 5000,
  });
  return mermaid.version ? "ok" : "ok";
}"""
# Lay the SVG out in the page so that lane-links.js can measure it.
RENDER = """async ([id, source]) => {
  try {
    const {svg} = await mermaid.render(id, source);
    const holder = document.createElement("div");
    holder.innerHTML = svg;
    document.body.append(holder);
    drawLaneLinks(holder.querySelector("svg"), source);
    const drawn = holder.innerHTML;
    holder.remove();
    return {svg: drawn};
  } catch (error) {
    return {error: String(error && error.message || error)};
  }
}"""
LANE_LINKS_JS = Path(__file__).resolve().parents[2] / "static/js/lane-links.js"
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')
_local = threading.local()


class RenderError(Exception):
    """Mermaid could not render a diagram; the message says why."""


class ChromiumRenderer:
    """One headless Chromium page with Mermaid loaded, reused for each render.

    Playwright's sync API runs an event loop in the thread that starts it,
    which Django then takes for an async context; so the browser lives in a
    thread of its own and renders are handed to it.
    """

    def __init__(self, *, chromium_path, mermaid_js, timeout=120):
        self.timeout = timeout
        self._jobs = queue.Queue()
        started = Future()
        self._thread = threading.Thread(
            target=self._serve,
            args=(chromium_path, mermaid_js, started),
            name="mermaid-chromium",
            daemon=True,
        )
        self._thread.start()
        started.result(timeout=timeout)

    def _serve(self, chromium_path, mermaid_js, started):
        from playwright.sync_api import sync_playwright

        try:
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(
                executable_path=chromium_path,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            page = browser.new_page()
            # Nothing the page loads may leave this machine.
            page.route("**/*", _refuse_network)
            page.set_content("<!doctype html><html><body></body></html>")
            page.add_script_tag(content=Path(mermaid_js).read_text())
            page.add_script_tag(content=LANE_LINKS_JS.read_text())
            page.evaluate(INITIALIZE)
        except Exception as error:
            started.set_exception(error)
            return
        started.set_result(True)
        count = 0
        while True:
            job = self._jobs.get()
            if job is None:
                break
            source, future = job
            count += 1
            try:
                future.set_result(page.evaluate(RENDER, [f"map{count}", source]))
            except Exception as error:
                future.set_exception(error)
        browser.close()
        playwright.stop()

    def render(self, source):
        if not self._thread.is_alive():
            raise RuntimeError("The Mermaid browser has stopped.")
        future = Future()
        self._jobs.put((source, future))
        result = future.result(timeout=self.timeout)
        if "error" in result:
            raise RenderError(result["error"])
        return size_from_viewbox(result["svg"])

    def close(self):
        self._jobs.put(None)
        self._thread.join(timeout=10)


def _refuse_network(route):
    route.abort()


class InkRenderer:
    """Ask a mermaid.ink server, as mermaid-py would, for the SVG."""

    def __init__(self, *, server):
        self.server = server.rstrip("/")

    def render(self, source):
        encoded = urlsafe_b64encode(source.encode()).decode()
        url = f"{self.server}/svg/{encoded}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                return size_from_viewbox(response.read().decode())
        except OSError as error:
            raise RenderError(f"The Mermaid server did not answer: {error}") from error

    def close(self):
        pass


def svg_size(svg):
    """Return the ``(width, height)`` of the SVG's viewBox, or ``(0, 0)``."""
    match = _VIEWBOX.search(svg)
    if match is None:
        return 0, 0
    return float(match[3]), float(match[4])


def size_from_viewbox(svg):
    """Give the SVG a width and height from its viewBox instead of "100%"."""
    width, height = svg_size(svg)
    if not width:
        return svg
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\swidth="[^"]*"', "", head)
    head = re.sub(r'\sheight="[^"]*"', "", head)
    head = re.sub(r'\sstyle="[^"]*"', "", head)
    head += f' width="{width:.0f}" height="{height:.0f}"'
    return head + svg[head_end:]


def renderer(*, chromium_path, mermaid_js, ink_server=""):
    """Return this thread's renderer, starting it on first use."""
    current = getattr(_local, "renderer", None)
    if current is None:
        if ink_server:
            current = InkRenderer(server=ink_server)
        else:
            logger.info("Starting Chromium for Mermaid")
            current = ChromiumRenderer(
                chromium_path=chromium_path, mermaid_js=mermaid_js
            )
        _local.renderer = current
    return current


def render_svg(source, **options):
    """Return the SVG of ``source``; restart the browser once if it died."""
    try:
        return renderer(**options).render(source)
    except RenderError:
        raise
    except Exception:
        logger.warning("Mermaid renderer failed; starting a new one", exc_info=True)
        shutdown()
        return renderer(**options).render(source)


def shutdown():
    current = getattr(_local, "renderer", None)
    _local.renderer = None
    if current is not None:
        try:
            current.close()
        except Exception:
            logger.debug("Renderer did not close cleanly", exc_info=True)
