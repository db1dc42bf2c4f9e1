import json
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from django.conf import settings

from apps.reports.aggregate import process_map
from apps.reports.measures import ordered_activities
from apps.reports.mermaid import process_map_mermaid
from apps.reports.trace import Activity, Trace

LABELS = ('Say "end" [x] & <b> #35;', "a -> b (c) {d}")


def _texts(svg):
    root = ElementTree.fromstring(svg)
    return [
        "".join(element.itertext()).strip()
        for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]


@pytest.mark.slow
def test_process_map_mermaid_renders_every_label_as_written(tmp_path):
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            Activity(key="end", label=LABELS[0], phase="log", start_ms=0, end_ms=1),
            Activity(
                key="b", label=LABELS[1], phase="log", start_ms=60_001, end_ms=9e4
            ),
        ),
    )
    source = tmp_path / "map.mmd"
    source.write_text(process_map_mermaid(process_map([ordered_activities(trace)])))
    browser = tmp_path / "puppeteer.json"
    browser.write_text(
        json.dumps({"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]})
    )
    config = tmp_path / "mermaid.json"
    config.write_text(json.dumps({"htmlLabels": False}))

    subprocess.run(
        [
            str(settings.BASE_DIR / "node_modules" / ".bin" / "mmdc"),
            *("-p", str(browser), "-c", str(config)),
            *("-i", str(source), "-o", str(tmp_path / "map.svg")),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    # Mermaid wraps long labels into lines: compare without the spaces.
    texts = [
        "".join(text.split()) for text in _texts((tmp_path / "map.svg").read_text())
    ]
    assert "Say\u201dend\u201d[x]&<b>#\u200b35;(1×)" in texts
    assert "a->b(c){d}(1×)" in texts
