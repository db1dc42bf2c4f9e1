"""Render an SOP version's HTML, SVG map and PDF; the shell around the core."""

import base64
import logging
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from . import mermaid, render
from .sop import (
    KIND_TITLES,
    WAITED_TEXT,
    format_duration,
    step_numbers,
    waited_text,
)

logger = logging.getLogger(__name__)

# The box a map figure fills on an A4 landscape page, inside the margins
# and below the heading and caption; the template sizes its page from it.
MAP_BOX_MM = (269, 158)
PX_PER_MM = 96 / 25.4
# Mermaid draws labels at 16 px; below 7 pt on paper they are hard to read.
MERMAID_TEXT_PX = 16
MIN_TEXT_PT = 7


def document_data(sop):
    """Return the SOP as JSON-ready data for storing and for templates."""
    data = asdict(sop)
    for phase in data["phases"]:
        for step in phase["steps"]:
            step["evidence"] = list(step["evidence"])
    data["systems"] = [
        {"name": name, "kind": KIND_TITLES.get(kind, kind), "count": count}
        for name, kind, count in sop.systems
    ]
    data["roles"] = [{"name": name, "role": role} for name, role in sop.roles]
    data["notes"] = [{"phase": phase, "note": note} for phase, note in sop.notes]
    data["editor_notes"] = [
        {"phase": phase, "note": note} for phase, note in sop.editor_notes
    ]
    return document_numbered(data)


def document_numbered(document):
    """Return a stored SOP document with its steps numbered as SOPs are now.

    A document stored before waits went unnumbered gives a wait a number;
    read through here it numbers by ``sop.step_numbers``, as the editor,
    the evidence pages, search and version comparison do, so a step has one
    number everywhere. Each phase gets its first step's number as ``start``.
    Its durations are worded as they are now (``_worded``), from their
    milliseconds, so that they read as the report beside them does.
    """
    phases = document.get("phases") or []
    kinds = [step.get("kind", "") for phase in phases for step in phase["steps"]]
    numbers = step_numbers(kinds)
    remaining = iter(numbers)
    renumbered = []
    for phase in phases:
        members = [
            _worded({**step, "number": next(remaining)}) for step in phase["steps"]
        ]
        shown = [step["number"] for step in members if step["number"] is not None]
        renumbered.append(
            _worded({**phase, "steps": members, "start": min(shown, default=None)})
        )
    count = sum(number is not None for number in numbers)
    steps = [step for phase in phases for step in phase["steps"]]
    return _worded(
        {
            **document,
            "phases": renumbered,
            "step_count": count,
            "basis": _basis_worded(document, steps),
        }
    )


def _worded(part):
    """Return ``part`` of a document with its ``duration`` from its milliseconds."""
    if part.get("duration_ms") is None:
        return part
    return {**part, "duration": format_duration(part["duration_ms"])}


def _basis_worded(document, steps):
    """Return the "Based on" line with its waits' time as part of the total.

    A version stored before it was worded so reads "(1 h 32 min in all)",
    as if the waits took the whole of the time its header gives.
    """
    basis = document.get("basis") or ""
    waits = [step.get("duration_ms", 0) for step in steps if step.get("kind") == "wait"]
    if not waits or document.get("duration_ms") is None:
        return basis
    waited = waited_text(sum(waits), document["duration_ms"])
    return WAITED_TEXT.sub(lambda _match: f"({waited})", basis, count=1)


def render_html(*, document, workflow_id, version_number):
    """Return the SOP as an HTML fragment, with links to each step's evidence."""
    return render_to_string(
        "workflows/_sop_body.html",
        {
            "sop": document_numbered(document),
            "workflow_id": workflow_id,
            "version_number": version_number,
        },
    )


def render_map_svg(source):
    return render.render_svg(
        source,
        chromium_path=settings.CHROMIUM_PATH,
        mermaid_js=str(mermaid_js_path()),
        ink_server=settings.MERMAID_INK_SERVER,
    )


def mermaid_js_path():
    vendored = Path(settings.BASE_DIR) / "static/vendor/mermaid.min.js"
    if vendored.exists():
        return vendored
    return Path(settings.BASE_DIR) / "node_modules/mermaid/dist/mermaid.min.js"


def pdf_html(*, document, organization_name, version_number, svg):
    """Return the whole HTML page WeasyPrint turns into the PDF."""
    document = document_numbered(document)
    return render_to_string(
        "workflows/sop_pdf.html",
        {
            "sop": document,
            "organization_name": organization_name,
            "version_number": version_number,
            "map_figures": map_figures(document, svg),
            "map_box": {"width": MAP_BOX_MM[0], "height": MAP_BOX_MM[1]},
        },
    )


def map_figures(document, svg):
    """Return the map's figures for the PDF, each to fit one landscape page.

    The whole map when its text stays legible at the size that fits the
    page; otherwise one figure per phase (several for a long phase), so
    that no label is printed too small to read.
    """
    if not svg:
        return []
    if text_size_pt(svg) >= MIN_TEXT_PT:
        return [_figure(svg, caption="")]
    steps = mermaid.document_steps(document)
    return [
        _figure(render_map_svg(part.source), caption=_part_caption(part))
        for part in mermaid.phase_maps(steps)
    ]


def text_size_pt(svg, box_mm=MAP_BOX_MM):
    """Return the size, in points, of the map's text once fitted in the box."""
    return MERMAID_TEXT_PX * 0.75 * _fit(svg, box_mm)


def _fit(svg, box_mm):
    width, height = render.svg_size(svg)
    if not width or not height:
        return 1
    box_width, box_height = (mm * PX_PER_MM for mm in box_mm)
    return min(1, box_width / width, box_height / height)


def _figure(svg, *, caption):
    width, height = render.svg_size(svg)
    scale = _fit(svg, MAP_BOX_MM) / PX_PER_MM
    encoded = base64.b64encode(svg.encode()).decode()
    return {
        "uri": "data:image/svg+xml;base64," + encoded,
        "caption": caption,
        "width_mm": round(width * scale, 1),
        "height_mm": round(height * scale, 1),
    }


def _part_caption(part):
    if part.first is None:
        return part.title
    steps = (
        f"step {part.first}"
        if part.first == part.last
        else (f"steps {part.first}–{part.last}")
    )
    caption = f"{part.title}, {steps}"
    if part.parts > 1:
        caption += f" (part {part.part} of {part.parts})"
    return caption


def html_to_pdf(*pages):
    """Return one PDF of the HTML ``pages``, each laid out on pages of its own.

    Each keeps its own page style and numbering; the PDF takes the first
    one's title.
    """
    from weasyprint import HTML

    from apps.reports.rendering import pdf_url_fetcher

    # The SOP carries its map as a data: URI; recorded text must never make
    # WeasyPrint read a file or reach the network.
    base_url = str(settings.BASE_DIR)
    fetcher = pdf_url_fetcher(base_url)
    laid_out = [
        HTML(string=page, base_url=base_url, url_fetcher=fetcher).render()
        for page in pages
    ]
    every_page = [page for document in laid_out for page in document.pages]
    return laid_out[0].copy(every_page).write_pdf()


def render_pdf(*, document, organization_name, version_number, svg):
    return html_to_pdf(
        pdf_html(
            document=document,
            organization_name=organization_name,
            version_number=version_number,
            svg=svg,
        )
    )


def export_html(*, version, organization_name):
    """Return a standalone HTML page of a version, for download."""
    return render_to_string(
        "workflows/sop_export.html",
        {
            "version": version,
            "sop": document_numbered(version.document),
            "organization_name": organization_name,
        },
    )
