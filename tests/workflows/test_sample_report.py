"""The demo workflow's two runs, read as the report shows them."""

import re
from pathlib import Path

import msgspec
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from apps.recordings import format
from apps.reports.duration import unbroken_duration
from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.web.management.commands.demo_setup import DEMO_SYSTEM_RULES
from apps.workflows.documents import document_data
from apps.workflows.pipeline import generate
from apps.workflows.steps import step_from_dict
from apps.workflows.systems import Rule
from apps.workflows.traces import steps_to_trace

SAMPLES = Path(settings.BASE_DIR) / "apps" / "recordings" / "samples"
RULES = tuple(Rule(host, name, kind) for host, name, kind in DEMO_SYSTEM_RULES)
RUNS = ("vpn-certificate-rotation", "vpn-certificate-rotation-second-run")


def _trace(name, run_id):
    path = SAMPLES / f"{name}.json"
    recording = msgspec.json.decode(path.read_bytes(), type=format.Recording)
    generated = generate(
        recording.events,
        title=recording.title,
        agent=recording.agent,
        privacy=msgspec.to_builtins(recording.privacy),
        rules=RULES,
    )
    steps = [step_from_dict(data) for data in generated.steps]
    trace = steps_to_trace(
        steps, run_id=run_id, agent=recording.agent, title=recording.title
    )
    return trace, generated


def _report(template="reports/_report.html"):
    (first, generated), (second, _generated) = _trace(RUNS[0], 4), _trace(RUNS[1], 5)
    approved = [step["key"] for step in generated.steps]
    report = build_report([first, second], approved=approved)
    html = render_to_string(
        template, {"report_view": report_context(report, title="VPN")}
    )
    return report, html


def _report_text():
    report, html = _report()
    return report, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_sample_report_names_each_step_truly():
    report, text = _report_text()

    labels = {node["label"] for node in report.process_map["nodes"]}
    # Both State choices are steps; no wait is named by one wait's length.
    assert {"Set the state to Resolved", "Set the state to Closed"} <= labels
    assert not [label for label in labels if re.search(r"Wait\W.*\d", label)]
    # Each run saves its own ticket, INC0048213 and INC0049377; the SOP's
    # words name neither.
    assert "Save the incident (Update)" in labels
    # The 41 min 26 s and 28 min 14 s waits keep their own lengths.
    assert "41 min 26 s" in text and "28 min 14 s" in text


def test_sample_report_mean_phases_add_up_to_the_means_shown():
    report, html = _report()
    view = report_context(report, title="VPN")

    phases = [row["ms"] for row in view["typical_phases"]]

    # Log, Triage, Investigate and Resolve, then Close, in whole seconds.
    assert all(ms % 1000 == 0 for ms in phases)
    assert sum(phases[:-1]) == view["mean_resolution_ms"]
    assert sum(phases) == view["mean_whole_ms"]
    whole = unbroken_duration(view["mean_whole_ms"])
    assert f"Mean whole run, Close included</th><td>{whole}</td>" in html


def test_sample_report_lists_transitions_and_names_runs():
    report, text = _report_text()

    assert "Process map" not in text
    first = text.split("Median time to the next step", 1)[1]
    # Save → wait happens twice in each run: 4 times, the most frequent.
    assert first.lstrip().startswith(
        "Save the incident (Update) Wait in IT Service Desk 4 "
    )
    conformance = text.split("Conformance to the approved SOP", 1)[1]
    assert (
        "VPN login failures after certificate rotation, by Priya Raman" in conformance
    )
    assert "itsm:" not in conformance and "monitoring:" not in conformance


def test_sample_report_of_two_runs_has_every_step_section():
    _report, text = _report_text()

    for heading in (
        "Time per system",
        "Longest steps",
        "Idle waits",
        "Documentation gaps",
        "AI and automation openings",
        "Transitions",
        "Variants",
    ):
        assert heading in text
    assert "The sections below add up the 2 runs" in text


def test_sample_report_conformance_lists_no_wait():
    report, text = _report_text()

    # Each run waits where it waited: no wait is a step to miss or to add.
    for row in report.conformance:
        assert not [key for key in row["missing"] + row["added"] if ":wait:" in key]
    assert "Wait" not in text.split("Conformance to the approved SOP", 1)[1]


def test_sample_report_pdf_breaks_no_duration_across_lines():
    _report_, html = _report("reports/report_pdf.html")

    lines = [
        box.text
        for page in HTML(string=html).render().pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    ]
    # The hand-off table's narrow Total wait column once read "41 min 31 / s".
    assert "41\u00a0min\u00a026\u00a0s" in lines
    assert not [line for line in lines if re.fullmatch(r"(s|min|h|d)", line.strip())]


def test_sample_handoff_wait_is_the_sop_wait_step_to_the_second():
    trace, generated = _trace(RUNS[0], 4)
    report = build_report([trace])
    html = render_to_string(
        "reports/_report.html", {"report_view": report_context(report, title="VPN")}
    )
    [wait] = [
        step
        for phase in document_data(generated.sop)["phases"]
        for step in phase["steps"]
        if step["text"].startswith("Wait for Identity and Access")
    ]

    [move] = report.runs[0]["handoffs"]
    # The wait starts when the save that hands the incident on ends, as the
    # SOP's wait step does, and ends when work resumes in the team chat.
    assert move["wait_ms"] == wait["duration_ms"] == 2_486_500
    assert wait["duration"] == "41 min 26 s"
    assert (
        "Priya Raman → Identity and Access: hand-off wait 41\u00a0min\u00a026\u00a0s"
        in html
    )


def test_sample_report_counts_the_gateway_opened_on_another_record_as_done():
    _report_view, text = _report_text()
    table = text[text.index("Conformance to the approved SOP") :]

    # The first run opened vpn-gw-01 and the second vpn-gw-02: one step,
    # neither missing nor added.
    assert "Open the gateway in Admin console" not in table
    assert (
        "by Tomás Ortega Create a new record in IT Service Desk, Enter Caller, "
        "Enter Short description, Enter Description, Submit the new record in "
        "IT Service Desk, Set the time range, Note in IT Service Desk, Switch to "
        "the identity-ops channel in Team chat Open the incident in IT Service "
        "Desk, Enter Work notes,"
    ) in table


def test_sample_report_names_the_span_of_its_mean_and_median_resolution_time():
    _report_view, text = _report_text()

    # The two runs' figures name their span as one run's heading does.
    assert "Mean resolution time (logged to resolved) 56 min 8 s 100%" in text
    assert "the median resolution time (logged to resolved) is 56 min 8 s." in text
    assert "Mean resolution time " not in text.replace(
        "Mean resolution time (logged to resolved)", ""
    )
