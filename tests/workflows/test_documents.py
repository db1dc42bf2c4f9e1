"""The SOP PDF: the steps first, then the map on landscape pages, legible."""

import re
import subprocess

import pytest

from apps.workflows import documents, render
from apps.workflows.pipeline import from_steps, generate
from apps.workflows.sop import PHASE_TIMES
from apps.workflows.steps import Step
from tests.workflows import recording_factory as rf

pytestmark = pytest.mark.browser


def _pdf(events, tmp_path):
    generated = generate(events, title="Outage", organization="Acme IT", version=1)
    document = documents.document_data(generated.sop)
    svg = documents.render_map_svg(generated.mermaid)
    pdf = documents.render_pdf(
        document=document, organization_name="Acme IT", version_number=1, svg=svg
    )
    path = tmp_path / "sop.pdf"
    path.write_bytes(pdf)
    return path, document


def _orientations(path):
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    return ["landscape" if float(w) > float(h) else "portrait" for w, h in sizes]


def _page_texts(path):
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f")[:-1]


def _word_heights(path, first_page):
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(first_page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)
    return [float(bottom) - float(top) for top, bottom in boxes]


def test_sop_pdf_footer_prints_the_organization_name_as_written(tmp_path):
    generated = generate(rf.network_outage().events, title="Outage", version=1)
    name = 'Smith & Co-op "North"; <IT>'
    pdf = documents.render_pdf(
        document=documents.document_data(generated.sop),
        organization_name=name,
        version_number=1,
        svg="",
    )
    path = tmp_path / "sop.pdf"
    path.write_bytes(pdf)

    pages = _page_texts(path)

    assert name in pages[0]
    assert all(name in page for page in pages[1:])
    assert "u0026" not in "".join(pages)


def test_sop_pdf_says_what_a_phase_time_spans(tmp_path):
    generated = generate(rf.network_outage().events, title="Outage", version=1)
    pdf = documents.render_pdf(
        document=documents.document_data(generated.sop),
        organization_name="Acme IT",
        version_number=1,
        svg="",
    )
    path = tmp_path / "sop.pdf"
    path.write_bytes(pdf)

    text = " ".join(" ".join(_page_texts(path)).split())

    assert PHASE_TIMES in text
    assert text.index(PHASE_TIMES) < text.index("Log 53 s")


def test_sop_pdf_prints_the_steps_then_the_map_on_landscape_pages(tmp_path):
    path, document = _pdf(rf.network_outage().events, tmp_path)

    orientations = _orientations(path)
    texts = _page_texts(path)
    first_map = orientations.index("landscape")
    last_step = document["step_count"]
    step_page = next(
        i
        for i, text in enumerate(texts)
        if re.search(rf"^\s*{last_step}\. ", text, re.M)
    )
    assert set(orientations[:first_map]) == {"portrait"}
    assert set(orientations[first_map:]) == {"landscape"}
    assert step_page < first_map
    assert texts[first_map].lstrip().startswith("Process map")
    # Each phase of the sample begins a map page of its own, in order.
    captions = [re.search(r"^\s*(\w+), steps? \d", text, re.M) for text in texts]
    titles = [phase["title"] for phase in document["phases"]]
    assert [c[1] for c in captions[first_map:] if c] == titles


def test_sop_pdf_splits_a_large_map_by_phase_and_keeps_its_text_legible(tmp_path):
    path, document = _pdf(rf.synthetic(210, seed=7).events, tmp_path)

    orientations = _orientations(path)
    first_map = orientations.index("landscape")
    heights = _word_heights(path, first_map + 1)

    assert sum(len(phase["steps"]) for phase in document["phases"]) >= 200
    assert len(orientations) - first_map >= len(document["phases"])
    # A word's box is a little taller than its font size.
    assert heights and min(heights) >= 7


def test_map_figures_keep_a_small_map_whole_and_fit_it_to_the_page():
    steps = [
        Step(
            ref=f"r{i}",
            key="k",
            kind="action",
            verb="open",
            text=f"Open dashboard {i}",
            system="Grafana",
            system_kind="monitoring",
            start_ms=i * 1000,
            end_ms=i * 1000 + 500,
            evidence=(i,),
            phase=phase,
        )
        for i, phase in enumerate(("log", "triage", "investigate", "close"), 1)
    ]
    generated = from_steps(
        steps,
        title="Small",
        kind="incident",
        agent="",
        privacy={},
        organization="Acme IT",
        version=1,
    )
    document = documents.document_data(generated.sop)
    svg = documents.render_map_svg(generated.mermaid)

    figures = documents.map_figures(document, svg)

    assert len(figures) == 1
    assert figures[0]["caption"] == ""
    assert re.findall(r'data-lane-link="([^"]+)"', svg) == ["s1-s2", "s2-s3", "s3-s4"]
    width, height = render.svg_size(svg)
    assert figures[0]["width_mm"] <= documents.MAP_BOX_MM[0]
    assert figures[0]["height_mm"] <= documents.MAP_BOX_MM[1]
    assert documents.text_size_pt(svg) >= documents.MIN_TEXT_PT
    assert figures[0]["width_mm"] / figures[0]["height_mm"] == pytest.approx(
        width / height, rel=0.01
    )


def teardown_module():
    render.shutdown()
