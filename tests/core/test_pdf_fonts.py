"""Every PDF we print, footers included, is set in the sans font of the page.

Chinese, Japanese and Korean text, which DejaVu lacks, is set in Noto Sans CJK.
"""

import subprocess

import pytest

from apps.reports.rendering import report_pdf
from apps.reports.report import build_report
from apps.workflows import documents
from apps.workflows.pipeline import generate
from tests.reports.pdf import pdf_text
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


def _japanese_sop_pdf():
    builder = rf.RecordingBuilder()
    builder.nav(rf.SNOW, "/now/nav/ui/home", "ServiceNow", after=0)
    builder.click("日本語の手順を確認")
    builder.edit("Short description")
    generated = generate(
        builder.events, title="日本語", organization="Acme IT", version=1
    )
    return documents.render_pdf(
        document=documents.document_data(generated.sop),
        organization_name="Acme IT",
        version_number=1,
        svg=documents.render_map_svg(generated.mermaid),
    )


@pytest.mark.browser
def test_sop_pdf_prints_japanese_step_text_in_a_cjk_font(tmp_path):
    pdf = _japanese_sop_pdf()

    fonts = _fonts(pdf, tmp_path)

    assert any(font.startswith("Noto-Sans-CJK") for font in fonts), fonts
    # Once in the steps and once in the map.
    assert pdf_text(pdf, tmp_path).count("Click 日本語の手順を確認") == 2


def test_report_pdf_prints_a_japanese_title_in_a_cjk_font(tmp_path):
    pdf = report_pdf(build_report(twelve_traces()), title="パスワード再設定")

    fonts = _fonts(pdf, tmp_path)

    assert any(font.startswith("Noto-Sans-CJK") for font in fonts), fonts
    assert "パスワード再設定" in pdf_text(pdf, tmp_path)
