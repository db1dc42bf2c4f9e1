"""Every PDF we print, footers included, is set in the sans font of the page."""

import subprocess

import pytest

from apps.reports.rendering import report_pdf
from apps.reports.report import build_report
from apps.workflows import documents
from apps.workflows.pipeline import generate
from tests.reports.traces import twelve_traces
from tests.workflows import recording_factory as rf


def _fonts(pdf, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    # Two heading lines, then one font a line, its name first ("ABCDEF+Name").
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


@pytest.mark.browser
def test_sop_pdf_sets_its_footer_in_the_sans_font(tmp_path):
    generated = generate(
        rf.network_outage().events, title="Outage", organization="Acme IT", version=1
    )
    pdf = documents.render_pdf(
        document=documents.document_data(generated.sop),
        organization_name="Acme IT",
        version_number=1,
        svg=documents.render_map_svg(generated.mermaid),
    )

    fonts = _fonts(pdf, tmp_path)

    assert fonts
    assert all(font.startswith("DejaVu-Sans") for font in fonts), fonts


def test_report_pdf_sets_its_footer_in_the_sans_font(tmp_path):
    pdf = report_pdf(build_report(twelve_traces()), title="Password reset")

    fonts = _fonts(pdf, tmp_path)

    assert fonts
    assert all(font.startswith("DejaVu-Sans") for font in fonts), fonts
