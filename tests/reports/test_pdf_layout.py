"""The report PDF leaves no heading alone at the foot of a page."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.reports.trace import Activity, Trace

MINUTE = 60_000
HEADINGS = ("h1", "h2", "h3")
SVG = "{http://www.w3.org/2000/svg}"


def _long_run(run_id, agent, steps):
    activities = tuple(
        Activity(
            f"step-{index}",
            f"Step number {index} of a long recorded run",
            "investigate",
            index * MINUTE,
            (index + 1) * MINUTE,
            system="ITSM",
        )
        for index in steps
    )
    return Trace(run_id, agent, activities, title=f"Run {run_id}")


def _pages():
    # Two runs of 60 steps, the second in another order: 118 transitions,
    # a table of several pages.
    report = build_report(
        [
            _long_run("1", "ana", range(60)),
            _long_run("2", "ben", [*range(30, 60), *range(30)]),
        ]
    )
    html = render_to_string(
        "reports/report_pdf.html",
        {"report_view": report_context(report, title="Long runs")},
    )
    document = HTML(string=html).render()
    pages = []
    for page in document.pages:
        # The first child is the document; the others are the page's margins.
        body = page._page_box.children[0]
        pages.append(
            [
                (box.element_tag, box.text.strip())
                for box in body.descendants()
                if isinstance(box, boxes.TextBox) and box.text.strip()
            ]
        )
    return pages


def test_report_pdf_keeps_each_heading_with_what_follows():
    pages = _pages()

    assert len(pages) > 2
    for texts in pages:
        assert texts[-1][0] not in HEADINGS, texts[-1]
    [page] = [texts for texts in pages if ("h3", "Transitions") in texts]
    after = page[page.index(("h3", "Transitions")) + 1 :]
    assert any(tag == "td" for tag, _text in after)


def test_report_pdf_prints_each_chart_once_in_its_wide_layout():
    report = build_report(
        [_long_run("1", "ana", range(6)), _long_run("2", "ben", [3, 4, 5, 0, 1, 2])]
    )
    html = render_to_string(
        "reports/report_pdf.html",
        {"report_view": report_context(report, title="Two runs")},
    )

    document = HTML(string=html).render()
    charts = [
        box.element.get("class")
        for page in document.pages
        for box in page._page_box.descendants()
        if box.element_tag == f"{SVG}svg"
    ]

    # Mean time per phase, per system and the spread per agent: a page has
    # room for the wide layout, the narrow one is a phone's.
    assert html.count('<figure class="chart">') == 3
    assert html.count("<svg") == 6
    assert charts == ["chart-wide"] * 3
