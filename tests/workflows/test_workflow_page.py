"""The workflow page: its report, downloads and share control, per role."""

import csv
import io
import re
import subprocess
from http import HTTPStatus
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.reports.duration import whole_seconds
from apps.reports.templatetags.report_tags import duration, unbroken
from apps.workflows import selectors, services, views
from apps.workflows.sop import PHASE_TIMES, numbered_steps
from tests import factories
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import import_sample

XES = "{http://www.xes-standard.org/}"
DOWNLOADS = {
    "report.pdf": ("application/pdf", b"%PDF"),
    "step-timings.csv": ("text/csv; charset=utf-8", b"run_id,agent,step"),
    "runs.xes": ("application/xml; charset=utf-8", b"<?xml"),
}


@pytest.fixture(scope="module")
def page(django_db_setup, django_db_blocker):
    """One generated workflow for the whole module, with an owner and a viewer."""
    with (
        django_db_blocker.unblock(),
        override_settings(WORKFLOWS_GENERATE_ON_FINISH=False),
    ):
        organization, owner = factories.organization_with_owner(name="Page IT")
        viewer = factories.member_add(organization=organization, role="viewer")
        recording = import_sample(organization, user=owner)
        workflow = services.workflow_generate(
            organization=organization, recording=recording
        )
        run = selectors.run_for_recording(
            organization=organization, recording=recording
        )
        services.run_build(run=run, generation=run.generation)
        workflow.refresh_from_db()
        yield SimpleNamespace(
            organization=organization,
            owner=owner,
            viewer=viewer,
            workflow=workflow,
            run=run,
            url=f"/workflows/{workflow.pk}/",
        )
        organization.delete()
        owner.delete()
        viewer.delete()


@pytest.fixture
def owner_page(db, client, page):
    client.force_login(page.owner)
    return client


@pytest.fixture
def viewer_page(db, client, page):
    client.force_login(page.viewer)
    return client


def test_workflow_detail_shows_the_report_with_its_figures(owner_page, page):
    report = selectors.workflow_report(workflow=page.workflow)
    timing = report.runs[0]["timing"]

    body = owner_page.get(page.url).content.decode()

    assert 'id="report"' in body
    assert "Workflow intelligence" in body
    # The report keeps a duration on one line with no-break spaces.
    resolution = unbroken(timing["resolution_ms"])
    assert f"Resolution time (logged to resolved): {resolution}" in body
    for ms in whole_seconds([*timing["split"].values(), timing["close_ms"]]):
        assert f"<td>{unbroken(ms)}</td>" in body
    assert f"{report.health['score']} / 100" in body
    assert "<svg" in body


PHASE_ROW = re.compile(
    r'<tr><th scope="row">(Log|Triage|Investigate|Resolve|Close)( \([^)<]+\))?</th>'
    r"<td>([^<]+)</td></tr>"
)
SOP_PHASE = re.compile(r'<h4>(\w+) <span class="muted">([^<]+)</span></h4>')
UNITS = {"d": 86_400, "h": 3_600, "min": 60, "s": 1}


def _seconds(shown):
    """Return the seconds of a shown duration: "17 min 9 s" is 1,029."""
    words = shown.replace("\u00a0", " ").split()
    return sum(
        int(n) * UNITS[unit] for n, unit in zip(words[::2], words[1::2], strict=True)
    )


def _found(pattern, body):
    return _seconds(re.search(pattern, body).group(1))


def test_workflow_detail_durations_add_up_and_the_sop_total_is_the_whole_run(
    owner_page, page
):
    body = owner_page.get(page.url).content.decode()

    rows = {name: _seconds(shown) for name, _span, shown in PHASE_ROW.findall(body)}
    resolution = _found(r"Resolution time \(logged to resolved\): ([^<]+)</h3>", body)
    left_out = _found(
        r"Resolution time \(logged to resolved\), Close left out</th><td>([^<]+)<", body
    )
    whole = _found(r"Whole run, Close included</th><td>([^<]+)<", body)
    sop_total = _found(r"· ([^<]+) in the recording, Close included</p>", body)
    sop_phases = {name: _seconds(shown) for name, shown in SOP_PHASE.findall(body)}

    # The outage is resolved at 6 min 13 s and closed at 17 min 9 s. Each
    # phase rounded alone would add up to 17 min 8 s.
    assert list(rows) == ["Log", "Triage", "Investigate", "Resolve", "Close"]
    assert resolution == left_out == sum(rows.values()) - rows["Close"] == 373
    assert whole == sop_total == sum(rows.values()) == 1_029
    assert sum(sop_phases.values()) == sop_total
    # Before the incident is resolved, the SOP's phases are the report's.
    for name in ("Log", "Triage", "Investigate"):
        assert sop_phases[name] == rows[name], name


def test_workflow_detail_names_the_span_of_each_phase_time_that_differs(
    owner_page, page
):
    body = owner_page.get(page.url).content.decode()

    spans = {name: span for name, span, _shown in PHASE_ROW.findall(body)}
    sop_phases = {name: _seconds(shown) for name, shown in SOP_PHASE.findall(body)}
    steps = body.split('<section id="steps">', 1)[1]

    # The outage's wait for the site lead comes after the state is set to
    # Resolved, in the SOP's Resolve: the report counts it in Close, and
    # both say which span each shows.
    assert sop_phases["Resolve"] == 12 * 60 + 24
    assert spans["Resolve"] == " (until resolved)"
    assert spans["Close"] == " (after resolved)"
    assert not spans["Log"] and not spans["Investigate"]
    assert steps.index(PHASE_TIMES) < steps.index('<section class="phase"')
    assert "Resolve (until resolved)" in body.split('id="report"', 1)[1]


def test_workflow_detail_tabs_are_plain_anchors(owner_page, page):
    body = owner_page.get(page.url).content.decode()

    for anchor in ("sop", "map", "report"):
        assert f'href="#{anchor}"' in body
        assert f'id="{anchor}"' in body
    assert "<script>" not in body.replace("<script src=", "")


def test_workflow_detail_links_every_download(owner_page, page):
    body = owner_page.get(page.url).content.decode()

    for export in ("pdf", "md", "html", "mermaid", "bpmn"):
        assert f"{page.url}download/{export}/" in body
    for name in DOWNLOADS:
        assert f'href="{page.url}{name}"' in body


def test_workflow_detail_offers_share_to_the_owner(owner_page, page):
    body = owner_page.get(page.url).content.decode()

    assert f'href="/share-links/new/?workflow={page.workflow.pk}"' in body


@pytest.mark.parametrize("role", ["admin", "member"])
def test_workflow_detail_offers_share_to_managers(client, page, role):
    user = factories.member_add(organization=page.organization, role=role)
    client.force_login(user)

    body = client.get(page.url).content.decode()

    assert "/share-links/new/?workflow=" in body
    assert '<details class="step-edit" data-step-edit>' in body


def test_workflow_detail_shows_a_viewer_no_edit_or_share(viewer_page, page):
    body = viewer_page.get(page.url).content.decode()

    assert "Workflow intelligence" in body
    assert "/share-links/" not in body
    assert f"{page.url}edit/" not in body
    assert "data-step-edit" not in body
    assert "step-edit.js" not in body
    assert "/regenerate/" not in body
    assert "/delete/" not in body


@pytest.mark.parametrize("name", DOWNLOADS)
def test_workflow_report_downloads_serve_the_owner(owner_page, page, name):
    content_type, start = DOWNLOADS[name]

    response = owner_page.get(f"{page.url}{name}")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == content_type
    assert response.content.startswith(start)
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", DOWNLOADS)
def test_workflow_report_downloads_serve_a_viewer(viewer_page, page, name):
    response = viewer_page.get(f"{page.url}{name}")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == DOWNLOADS[name][0]


@pytest.mark.parametrize("name", DOWNLOADS)
def test_workflow_report_downloads_are_404_for_another_organization(
    client, page, other_organization, name
):
    client.force_login(other_organization.memberships.get(role="owner").user)

    response = client.get(f"{page.url}{name}")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_workflow_timings_csv_has_a_row_per_step_of_the_run(owner_page, page):
    page.run.refresh_from_db()

    response = owner_page.get(f"{page.url}step-timings.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == page.run.step_count
    assert {row["run_id"] for row in rows} == {str(page.run.pk)}


def test_workflow_timings_csv_numbers_each_step_as_the_sop(owner_page, page):
    page.workflow.refresh_from_db()
    sop_steps = numbered_steps(page.workflow.current_version.steps)

    response = owner_page.get(f"{page.url}step-timings.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    numbered = [(int(row["step"]), row["label"]) for row in rows if row["step"]]
    assert numbered == [
        (number, step["text"]) for number, step in enumerate(sop_steps, start=1)
    ]
    assert {row["kind"] for row in rows if not row["step"]} == {"wait"}


def test_workflow_runs_xes_holds_one_trace_with_start_and_complete(owner_page, page):
    page.run.refresh_from_db()

    response = owner_page.get(f"{page.url}runs.xes")

    root = ElementTree.fromstring(response.content)
    traces = root.findall(f"{XES}trace")
    assert len(traces) == 1
    assert len(traces[0].findall(f"{XES}event")) == 2 * page.run.step_count


def test_workflow_report_pdf_holds_the_resolution_time(owner_page, page, tmp_path):
    report = selectors.workflow_report(workflow=page.workflow)
    resolution = duration(report.runs[0]["timing"]["resolution_ms"])

    response = owner_page.get(f"{page.url}report.pdf")

    assert resolution in _pdf_text(response.content, tmp_path)


def test_workflow_report_is_computed_once_per_version_and_runs(
    owner_page, page, monkeypatch
):
    calls = []
    build = selectors.workflow_report

    def counting(*, workflow):
        calls.append(workflow.pk)
        return build(workflow=workflow)

    monkeypatch.setattr(selectors, "workflow_report", counting)
    runs = list(selectors.run_list(workflow=page.workflow))
    cache.delete(views._report_key(page.workflow, page.workflow.current_version, runs))
    owner_page.get(page.url)
    owner_page.get(page.url)
    owner_page.get(f"{page.url}report.pdf")

    assert calls == [page.workflow.pk]


def test_sop_pdf_numbers_steps_on_across_phases(owner_page, page, tmp_path):
    version = page.workflow.current_version
    phases = version.document["phases"]
    assert len(phases) > 1

    response = owner_page.get(f"{page.url}download/pdf/")

    # The last "Process map" heads the map page, whose nodes carry numbers too.
    text = _pdf_text(response.content, tmp_path).rsplit("Process map", 1)[0]
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\. ", text, flags=re.MULTILINE)]
    assert numbers == list(range(1, len(numbered_steps(version.steps)) + 1))


def _pdf_text(pdf, tmp_path):
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_sop_html_lists_start_each_phase_at_its_first_step(owner_page, page):
    phases = page.workflow.current_version.document["phases"]

    body = owner_page.get(f"{page.url}download/html/").content.decode()

    starts = [int(n) for n in re.findall(r'<ol class="steps" start="(\d+)">', body)]
    assert starts == [phase["steps"][0]["number"] for phase in phases]
    assert starts[0] == 1
    assert starts[-1] > len(phases[0]["steps"])


def test_workflow_sop_gives_each_step_one_edit_control_named_by_its_number(
    owner_page, page
):
    body = owner_page.get(page.url).content.decode()

    steps = re.findall(
        r'<li class="step [^"]*" id="step-(\d+)"(.*?)</li>', body, flags=re.DOTALL
    )
    assert len(steps) == page.workflow.current_version.document["step_count"]
    for number, step in steps:
        assert re.findall(r'<summary aria-label="([^"]*)">Edit</summary>', step) == [
            f"Edit step {number}"
        ]


def test_workflow_detail_report_counts_a_newly_built_run(owner_page, page):
    first = owner_page.get(page.url).content.decode()
    recording = import_sample(
        page.organization, rf.synthetic(60, seed=3), user=page.owner
    )
    services.workflow_generate(
        organization=page.organization, recording=recording, workflow=page.workflow
    )
    run = selectors.run_for_recording(
        organization=page.organization, recording=recording
    )
    services.run_build(run=run, generation=run.generation)

    second = owner_page.get(page.url).content.decode()

    assert "Measured over 2 runs." not in first
    assert "Measured over 2 runs." in second
    assert "Agent variance" in second


def _counted(steps, waits):
    counted = f"{steps} steps"
    if waits:
        counted += f", {waits} wait" + ("s" if waits > 1 else "")
    return counted


def test_runs_table_counts_steps_as_the_sop_numbers_them(owner_page, page):
    stored = page.workflow.current_version.steps
    steps, waits = (
        len(numbered_steps(stored)),
        len(stored) - len(numbered_steps(stored)),
    )

    body = owner_page.get(page.url).content.decode()
    runs = body[body.index('id="runs-heading"') :]

    assert waits > 0
    assert f"{steps} steps" in body[: body.index('id="runs-heading"')]
    assert f"<td>{_counted(steps, waits)}</td>" in runs


def test_recording_page_leaves_waits_unnumbered(owner_page, page):
    run = page.run
    run.refresh_from_db()
    waits = sum(step.get("kind") == "wait" for step in run.steps)
    steps = len(run.steps) - waits

    body = owner_page.get(f"/recordings/{run.recording_id}/").content.decode()
    listed = body[body.index('id="steps-heading"') :]
    listed = listed[: listed.index("</section>")]

    assert f">{_counted(steps, waits)}</h2>" in listed
    assert f'<span class="step-number">{steps}.</span>' in listed
    assert f'<span class="step-number">{steps + 1}.</span>' not in listed
    assert listed.count('<li class="step-wait"><em class="muted">') == waits
