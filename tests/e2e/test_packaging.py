"""The zip that ``make extension`` builds is a working recorder on its own."""

import shutil
import subprocess
import zipfile

import pytest

from tests.e2e.conftest import EXTENSION

pytestmark = [pytest.mark.browser]


def test_extension_zip_loads_and_records(launch, tmp_path, pages_url):
    if not shutil.which("node"):
        pytest.fail("node is needed to build the extension")
    subprocess.run(["node", "build.js"], cwd=EXTENSION, check=True, capture_output=True)
    archive = EXTENSION.parent / "dist" / "ledgerium-extension.zip"
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        bundle.extractall(unpacked)
    assert not [name for name in names if name.startswith(("test/", "node_modules"))]

    recorder = launch(extension=unpacked)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/monitoring.html")
    recorder.send(
        {"type": "start", "tabId": recorder.tab_id(page.url), "title": "Zip check"}
    )
    page.click("#silence")
    recorder.wait_for(
        lambda: (
            [e["type"] for e in recorder.stored_events()] == ["navigation", "click"]
        ),
        message="events from the packaged extension",
    )
    assert recorder.panel.locator("h1").inner_text() == "Ledgerium Recorder"
