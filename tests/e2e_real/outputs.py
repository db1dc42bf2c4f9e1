"""Turn the generated PDF into text and PNG pages, and write the examples.

Writing into the repository is explicit: only with ``E2E_REAL_WRITE=1`` (set
by ``make e2e-real``) do the pages, the Markdown and the sample recording go
to ``docs/examples/`` and ``apps/recordings/samples/``. Otherwise they go to
``var/e2e-real/output/``, so ``make test`` leaves the tree clean. The file
names are the same on every run.
"""

import os
import subprocess
from pathlib import Path

from tests.e2e_real import tools

PAGE_PREFIX = "real-incident-sop-page"
MARKDOWN_NAME = "real-incident-sop.md"
SAMPLE_NAME = "real-incident.json"


def writes_into_repository():
    return os.environ.get("E2E_REAL_WRITE") == "1"


def destinations():
    """Return ``(examples_dir, samples_dir)`` for this run."""
    if writes_into_repository():
        return tools.ROOT / "docs" / "examples", tools.ROOT / "apps/recordings/samples"
    scratch = tools.STATE / "output"
    return scratch / "examples", scratch / "samples"


def pdf_text(pdf_bytes, folder):
    path = Path(folder) / "sop.pdf"
    path.write_bytes(pdf_bytes)
    result = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


def write_pages(pdf_bytes, folder):
    """Write each PDF page as ``<prefix>-<n>.png``; return the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{PAGE_PREFIX}-*.png"):
        old.unlink()
    source = folder / f".{PAGE_PREFIX}.pdf"
    source.write_bytes(pdf_bytes)
    try:
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", str(source), str(folder / PAGE_PREFIX)],
            capture_output=True,
            check=True,
            timeout=120,
        )
    finally:
        source.unlink()
    return sorted(folder.glob(f"{PAGE_PREFIX}-*.png"))


def write_text(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path
