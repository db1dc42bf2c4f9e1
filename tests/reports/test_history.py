import csv
import re
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.errors import ApplicationError
from apps.reports import history, selectors
from apps.reports.models import Incident, IncidentUpdate
from apps.reports.report import build_report
from apps.reports.services import incidents_import
from tests.web.html import CELL

MINUTE = 60_000
EXPORT = (
    settings.BASE_DIR / "apps" / "reports" / "samples" / "servicenow-incident-log.csv"
)


def _export_text():
    assert EXPORT.exists(), f"The sample ServiceNow export is expected at {EXPORT}."
    return EXPORT.read_text(encoding="utf-8")


def _grouped():
    reader = csv.DictReader(_export_text().splitlines())
    updates = [history.parse_row(row, reader.line_num) for row in reader]
    return history.group_updates(updates)


def test_incident_measures_match_hand_worked_rows():
    grouped = _grouped()

    quick = history.incident_measures(grouped["INC0000045"])
    # Opened 29-02 01:16, resolved 29-02 11:29: 10 h 13 min.
    assert quick["resolution_ms"] == (10 * 60 + 13) * MINUTE
    # New from opening to the Resolved update at 08:53: 7 h 37 min. Resolved
    # from 08:53 to the Closed update on 05-03 12:00: 2 h 36 min + 5 d 31 min.
    assert quick["time_in_state"] == {
        "Closed": 0,
        "New": (7 * 60 + 37) * MINUTE,
        "Resolved": (156 + 5 * 1440 + 31) * MINUTE,
    }
    assert quick["handoffs"] == []
    assert quick["made_sla"] is True

    moved = history.incident_measures(grouped["INC0000112"])
    # Opened 29-02 09:15, resolved 02-03 15:13: 2 d 5 h 58 min.
    assert moved["resolution_ms"] == (2 * 1440 + 5 * 60 + 58) * MINUTE
    # Group 70 -> 25 on 01-03 01:29, next update 02-03 14:22: 1 d 12 h 53 min;
    # Group 25 -> 23 on 02-03 14:22, next update 14:59: 37 min.
    assert [(m["from"], m["to"], m["wait_ms"]) for m in moved["handoffs"]] == [
        ("Group 70", "Group 25", (1440 + 12 * 60 + 53) * MINUTE),
        ("Group 25", "Group 23", 37 * MINUTE),
    ]


def test_updates_after_closure_take_no_time():
    late = THREE.replace(
        "INC1,Closed,01-03-2016 12:00,01-03-2016 09:00,Group B,3 - Moderate,"
        "01-03-2016 10:05,TRUE",
        "INC1,Closed,01-03-2016 12:00,01-03-2016 09:00,Group B,3 - Moderate,"
        "01-03-2016 10:05,TRUE\n"
        "INC1,Closed,20-06-2016 08:00,01-03-2016 09:00,Group B,3 - Moderate,"
        "01-03-2016 10:05,TRUE",
    )
    updates = _three_updates(late)["INC1"]

    measures = history.incident_measures(updates)
    trace = history.incident_trace(updates)

    # Closed at 12:00; the edit in June adds nothing to any state.
    assert measures["time_in_state"]["Closed"] == 0
    assert measures["time_in_state"]["Resolved"] == 115 * MINUTE
    closed = [a for a in trace.activities if a.label == "Closed"]
    assert [a.duration_ms for a in closed] == [0, 0]
    [run] = build_report([trace], imported=True).runs
    # Resolved at 10:05: the wait in Resolved for the close is no stay.
    assert [(s["label"], s["duration_ms"]) for s in run["longest_steps"]] == [
        ("Active", 55 * MINUTE),
        ("New", 10 * MINUTE),
    ]


def test_incident_measures_same_minute_updates_and_late_sla():
    measures = history.incident_measures(_grouped()["INC0000128"])

    # Opened 29-02 09:36, resolved 11-03 12:15: 11 d 2 h 39 min.
    assert measures["resolution_ms"] == (11 * 1440 + 2 * 60 + 39) * MINUTE
    # Group 12 -> 70 at 29-02 10:02; the other 10:02 update is the move
    # itself, the next later one is 13:40: 3 h 38 min. Group 70 -> 39 on
    # 04-03 14:57, next update 11-03 12:15: 7 d less 2 h 42 min.
    assert [(m["from"], m["to"], m["wait_ms"]) for m in measures["handoffs"]] == [
        ("Group 12", "Group 70", (3 * 60 + 38) * MINUTE),
        ("Group 70", "Group 39", (7 * 1440 - 2 * 60 - 42) * MINUTE),
    ]
    # New 09:36 -> 13:40 (4 h 4 min), then Active until resolution.
    assert measures["time_in_state"]["New"] == 244 * MINUTE
    assert measures["time_in_state"]["Active"] == (15999 - 244) * MINUTE
    # The SLA was still made until the Closed update said otherwise.
    assert measures["made_sla"] is False


def test_incident_measures_resolution_without_resolved_at_uses_first_resolved():
    measures = history.incident_measures(_grouped()["INC0000093"])

    # resolved_at is "?" on both rows; the first update, at opening, is Resolved.
    assert measures["resolution_ms"] == 0


def _direct():
    """Compute resolution and handoffs straight from the CSV rows."""
    rows = defaultdict(list)
    for position, row in enumerate(csv.DictReader(_export_text().splitlines())):
        rows[row["number"]].append((position, row))

    def at(text):
        return datetime.strptime(text, "%d-%m-%Y %H:%M")

    figures = {}
    for number, entries in rows.items():
        entries.sort(key=lambda e: (at(e[1]["sys_updated_at"]), e[0]))
        ordered = [row for _p, row in entries]
        resolved = [r["resolved_at"] for r in ordered if r["resolved_at"] != "?"]
        if resolved:
            end = at(resolved[-1])
        else:
            end = next(
                at(r["sys_updated_at"])
                for r in ordered
                if r["incident_state"] in ("Resolved", "Closed")
            )
        resolution = (end - at(ordered[0]["opened_at"])).total_seconds() * 1000
        moves, group = [], None
        for index, row in enumerate(ordered):
            if row["assignment_group"] in ("?", group):
                continue
            if group is not None:
                moment = at(row["sys_updated_at"])
                later = [
                    at(r["sys_updated_at"])
                    for r in ordered[index + 1 :]
                    if at(r["sys_updated_at"]) > moment
                ]
                wait = (later[0] - moment).total_seconds() * 1000 if later else None
                moves.append((group, row["assignment_group"], wait))
            group = row["assignment_group"]
        sla = ordered[-1]["made_sla"] == "TRUE"
        figures[number] = (max(0, int(resolution)), moves, sla)
    return figures


@pytest.fixture
def imported(organization):
    incidents_import(organization=organization, text=_export_text())
    return organization


def test_import_whole_export_matches_direct_computation(imported):
    direct = _direct()
    stored = {
        i.number: (
            i.resolution_ms,
            [(m["from"], m["to"], m["wait_ms"]) for m in i.handoffs],
            i.made_sla,
        )
        for i in Incident.objects.for_organization(imported)
    }

    assert len(stored) == 650
    assert IncidentUpdate.objects.for_organization(imported).count() == 4453
    assert stored == direct


def test_import_report_handoff_waits_match_direct_computation(imported):
    waits = defaultdict(list)
    for _resolution, moves, _sla in _direct().values():
        for source, target, wait in moves:
            waits[source, target].append(wait)

    report = selectors.incident_report(organization=imported)

    figures = {(h["from"], h["to"]): h for h in report.handoffs}
    assert set(figures) == set(waits)
    for pair, values in waits.items():
        known = [w for w in values if w is not None]
        assert figures[pair]["count"] == len(values)
        assert figures[pair]["median_wait_ms"] == (
            statistics.median(known) if known else None
        )
    resolutions = {run["run_id"]: run["timing"]["resolution_ms"] for run in report.runs}
    assert resolutions == {n: figures[0] for n, figures in _direct().items()}


def test_import_twice_changes_nothing(imported):
    report_before = selectors.incident_report(organization=imported).to_json()
    before = list(
        IncidentUpdate.objects.for_organization(imported)
        .order_by("incident__number", "sequence")
        .values_list("incident__number", "sequence", "state", "updated_at")
    )

    created, replaced, rows = incidents_import(
        organization=imported, text=_export_text()
    )

    after = list(
        IncidentUpdate.objects.for_organization(imported)
        .order_by("incident__number", "sequence")
        .values_list("incident__number", "sequence", "state", "updated_at")
    )
    assert (created, replaced, rows) == (0, 650, 4453)
    assert after == before
    assert selectors.incident_report(organization=imported).to_json() == report_before


HEADER = "number,incident_state,sys_updated_at,opened_at,assignment_group,priority"


def test_import_names_the_line_and_column_of_a_bad_date(organization):
    text = "\n".join(
        [
            HEADER,
            "INC1,New,29-02-2016 01:23,29-02-2016 01:16,Group 1,3 - Moderate",
            "INC1,Active,2016-03-01,29-02-2016 01:16,Group 1,3 - Moderate",
        ]
    )

    with pytest.raises(ApplicationError) as caught:
        incidents_import(organization=organization, text=text)

    assert caught.value.code == "incident_import_invalid"
    assert caught.value.field == "sys_updated_at"
    assert caught.value.extra == {"line": 3}
    assert "Line 3: sys_updated_at is '2016-03-01'" in caught.value.message
    assert not Incident.objects.for_organization(organization).exists()


def test_import_names_missing_columns(organization):
    with pytest.raises(ApplicationError, match="opened_at, assignment_group"):
        incidents_import(
            organization=organization,
            text="number,incident_state,sys_updated_at,priority\n",
        )


def test_import_again_writes_its_incidents_in_one_upsert(imported):
    numbers = Incident.objects.for_organization(imported).values_list("number", "pk")
    ids = dict(numbers)

    with CaptureQueriesContext(connection) as queries:
        incidents_import(organization=imported, text=_export_text())

    # The 650 incidents fit one batch; an update per incident and field, as
    # bulk_update writes, took half a minute for a few thousand.
    writes = [
        query["sql"]
        for query in queries
        if query["sql"].startswith(
            ('INSERT INTO "reports_incident" ', 'UPDATE "reports_incident" ')
        )
    ]
    assert len(writes) == 1
    assert 'ON CONFLICT("organization_id", "number") DO UPDATE SET' in writes[0]
    assert dict(numbers) == ids


def test_import_counts_new_and_replaced_incidents_and_replaces_updates(
    organization,
):
    incidents_import(
        organization=organization,
        text="\n".join(
            [
                HEADER,
                "INC1,New,29-02-2016 01:23,29-02-2016 01:16,Group 1,3 - Moderate",
                "INC1,Active,29-02-2016 02:23,29-02-2016 01:16,Group 1,3 - Moderate",
                "INC2,New,29-02-2016 03:00,29-02-2016 02:50,Group 1,3 - Moderate",
            ]
        ),
    )
    incidents = Incident.objects.for_organization(organization)
    ids = dict(incidents.values_list("number", "pk"))

    counts = incidents_import(
        organization=organization,
        text="\n".join(
            [
                HEADER,
                "INC1,Active,29-02-2016 04:00,29-02-2016 01:16,Group 2,2 - High",
                "INC3,New,29-02-2016 05:00,29-02-2016 04:55,Group 3,3 - Moderate",
            ]
        ),
    )

    assert counts == (1, 1, 2)
    assert list(incidents.values_list("number", "assignment_group", "priority")) == [
        ("INC1", "Group 2", "2 - High"),
        ("INC2", "Group 1", "3 - Moderate"),
        ("INC3", "Group 3", "3 - Moderate"),
    ]
    assert dict(incidents.filter(number__in=ids).values_list("number", "pk")) == ids
    updates = IncidentUpdate.objects.for_organization(organization)
    assert list(
        updates.values_list("incident__number", "sequence", "assignment_group")
    ) == [("INC1", 0, "Group 2"), ("INC2", 0, "Group 1"), ("INC3", 0, "Group 3")]


def test_import_command_reports_counts(organization, tmp_path, capsys):
    path = Path(tmp_path) / "export.csv"
    path.write_text(
        HEADER
        + "\nINC1,New,29-02-2016 01:23,29-02-2016 01:16,Group 1,3 - Moderate"
        + "\nINC1,Resolved,29-02-2016 02:23,29-02-2016 01:16,Group 2,3 - Moderate\n"
    )

    call_command("import_incidents", str(path), "--org", organization.slug)

    assert "Imported 1 incidents (1 new, 0 replaced) from 2 rows" in (
        capsys.readouterr().out
    )
    incident = Incident.objects.for_organization(organization).get()
    assert incident.reassignments == 1
    assert incident.handoffs[0]["wait_ms"] is None


def test_import_command_refuses_an_unknown_organization(db, tmp_path):
    with pytest.raises(CommandError, match="No organization has the slug 'nope'"):
        call_command("import_incidents", str(tmp_path / "x.csv"), "--org", "nope")


def test_import_command_refuses_an_organization_on_free(organization_factory, tmp_path):
    free, _owner = organization_factory(name="Free IT")
    path = Path(tmp_path) / "export.csv"
    path.write_text(HEADER + "\n")

    with pytest.raises(CommandError, match="not part of the Free plan"):
        call_command("import_incidents", str(path), "--org", free.slug)
    assert not Incident.objects.for_organization(free).exists()


def test_import_keeps_organizations_apart(imported, other_organization):
    assert not selectors.incident_list(organization=other_organization).exists()
    assert selectors.incident_traces(organization=other_organization) == []


def test_incident_history_page_over_the_whole_export(imported, owner_client):
    from django.urls import reverse

    from apps.reports.services import incident_report_build

    incident_report_build(
        incident_import=selectors.incident_import_latest(organization=imported)
    )
    response = owner_client.get(reverse("incident_history"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Incidents</dt><dd>650</dd>" in body
    made = sum(1 for _r, _m, sla in _direct().values() if sla)
    missed = 650 - made
    assert (
        f'<dd>{missed} of 650 <span class="muted">({missed / 650:.0%})</span>' in body
    )
    assert "Measured over 650 incidents." in body
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    # A bottleneck's median is over the incidents that had the step, and
    # says so; the header's median is over all of them.
    assert (
        "The 212 incidents that passed through Awaiting User Info (of 650 "
        "resolved) spent a median of 5 d 8 h in it; those incidents took a "
        "median of 8 d 20 h to resolve."
    ) in text
    assert "this step" not in text
    # Medians of the phases do not add up: the split is of means, and the
    # median it sits beside is the header's.
    assert "Median resolution time (opened to resolved) 2 d 3 h" in text
    assert "Mean time per phase" in text
    assert "Mean resolution time (opened to resolved) " in text
    assert "the median resolution time (opened to resolved) is 2 d 3 h" in text
    assert "Median time per phase" not in text
    # An ITSM log records no rule behind any choice: no gap says so.
    assert "chosen without a recorded rule" not in text
    assert "choices without a recorded rule" not in text


# Three incidents written by hand in the export's format. INC1 moves from
# Group A to Group B while it stays Active, and is resolved after 1 h 5 min.
# INC2 waits 3 h 30 min for the user (08:30-12:00) and is resolved after
# 4 h 29 min. INC3 is still open.
THREE = "\n".join(
    [
        "number,incident_state,sys_updated_at,opened_at,assignment_group,priority,"
        "resolved_at,made_sla",
        "INC1,New,01-03-2016 09:00,01-03-2016 09:00,Group A,3 - Moderate,?,TRUE",
        "INC1,Active,01-03-2016 09:10,01-03-2016 09:00,Group A,3 - Moderate,?,TRUE",
        "INC1,Active,01-03-2016 09:40,01-03-2016 09:00,Group B,3 - Moderate,?,TRUE",
        "INC1,Resolved,01-03-2016 10:05,01-03-2016 09:00,Group B,3 - Moderate,"
        "01-03-2016 10:05,TRUE",
        "INC1,Closed,01-03-2016 12:00,01-03-2016 09:00,Group B,3 - Moderate,"
        "01-03-2016 10:05,TRUE",
        "INC2,New,01-03-2016 08:00,01-03-2016 08:00,Group A,3 - Moderate,?,TRUE",
        "INC2,Awaiting User Info,01-03-2016 08:30,01-03-2016 08:00,Group A,"
        "3 - Moderate,?,TRUE",
        "INC2,Active,01-03-2016 12:00,01-03-2016 08:00,Group A,3 - Moderate,?,TRUE",
        "INC2,Resolved,01-03-2016 12:29,01-03-2016 08:00,Group A,3 - Moderate,"
        "01-03-2016 12:29,TRUE",
        "INC3,New,01-03-2016 10:00,01-03-2016 10:00,Group A,3 - Moderate,?,?",
        "INC3,Active,01-03-2016 10:20,01-03-2016 10:00,Group A,3 - Moderate,?,?",
    ]
)


def _three_updates(text=THREE):
    reader = csv.DictReader(text.splitlines())
    return history.group_updates(
        [history.parse_row(row, reader.line_num) for row in reader]
    )


def test_three_incidents_median_resolution_is_one_figure(organization):
    incidents_import(organization=organization, text=THREE)

    summary = selectors.incident_summary(organization=organization)
    report = selectors.incident_report(organization=organization)

    # Resolved incidents only: 1 h 5 min and 4 h 29 min, median 2 h 47 min.
    assert summary["open"] == 1
    assert summary["median_resolution_ms"] == 167 * MINUTE
    timings = {run["run_id"]: run["timing"] for run in report.runs}
    assert timings["INC3"]["resolution_ms"] is None
    assert timings["INC1"]["resolution_ms"] == 65 * MINUTE
    assert timings["INC2"]["resolution_ms"] == 269 * MINUTE
    # Active: INC1 09:10-10:05 (55 min), INC2 12:00-12:29 (29 min): a median
    # of 42 min against the same 2 h 47 min the header shows.
    bottlenecks = {
        f["steps"][0]: f["params"]
        for f in report.findings
        if f["type"] == "bottleneck" and len(f["steps"]) == 1
    }
    assert bottlenecks["state:active"]["median_ms"] == 42 * MINUTE
    assert bottlenecks["state:active"]["resolution_ms"] == 167 * MINUTE


def test_three_incidents_a_wait_is_part_of_its_own_resolution_time(organization):
    incidents_import(organization=organization, text=THREE)

    report = selectors.incident_report(organization=organization)

    # Awaiting User Info happens in INC2 only: 3 h 30 min of its 4 h 29 min.
    [wait] = [
        f
        for f in report.findings
        if f["type"] == "bottleneck" and f["steps"] == ["state:awaiting_user_info"]
    ]
    assert wait["params"]["median_ms"] == 210 * MINUTE
    assert wait["params"]["resolution_ms"] == 269 * MINUTE
    for finding in report.findings:
        if finding["type"] == "bottleneck":
            params = finding["params"]
            assert params["median_ms"] <= params["resolution_ms"]


def test_three_incidents_open_one_has_no_resolution_time(organization):
    incidents_import(organization=organization, text=THREE)

    report = selectors.incident_report(organization=organization)

    # Group A holds INC2 (resolved after 4 h 29 min) and the open INC3: its
    # resolution times are INC2's alone; the 20 min INC3 has been open are
    # still split by phase (New 10:00-10:20).
    agents = {row["agent"]: row["spread"] for row in report.agents}
    assert agents["Group A"]["resolution"] == {
        "min": 269 * MINUTE,
        "median": 269 * MINUTE,
        "max": 269 * MINUTE,
    }
    assert agents["Group A"]["triage"]["max"] == 30 * MINUTE
    assert agents["Group B"]["resolution"]["median"] == 65 * MINUTE
    open_run = next(run for run in report.runs if run["run_id"] == "INC3")
    assert open_run["timing"]["split"]["triage"] == 20 * MINUTE
    assert open_run["timing"]["close_ms"] == 0


def test_three_incidents_a_group_change_is_no_rework():
    grouped = _three_updates()
    report = build_report([history.incident_trace(u) for u in grouped.values()])

    # INC1 stays Active while its group changes: a handoff, not rework.
    assert [run["rework"] for run in report.runs] == [[], [], []]
    assert [len(run["handoffs"]) for run in report.runs] == [1, 0, 0]


def test_reopened_after_resolved_is_rework():
    reopened = (
        THREE
        + "\n"
        + "\n".join(
            [
                "INC2,Active,01-03-2016 13:00,01-03-2016 08:00,Group A,3 - Moderate,"
                "?,TRUE",
                "INC2,Resolved,01-03-2016 13:30,01-03-2016 08:00,Group A,3 - Moderate,"
                "01-03-2016 13:30,TRUE",
            ]
        )
    )
    trace = history.incident_trace(_three_updates(reopened)["INC2"])

    # Resolved at 12:29, Active again at 13:00: back to an earlier phase.
    measures = build_report([trace]).runs[0]
    assert measures["rework"] == ["state:active"]
    # Resolved for good at 13:30: 5 h 30 min.
    assert measures["timing"]["resolution_ms"] == 330 * MINUTE


def test_report_of_an_open_incident_shows_no_resolution_time():
    from django.template.loader import render_to_string

    from apps.reports.rendering import report_context

    grouped = _three_updates()
    traces = [history.incident_trace(grouped[n]) for n in ("INC1", "INC3")]
    context = report_context(build_report(traces), title="History")

    html = render_to_string("reports/_report.html", {"report_view": context})

    # Group A holds only the open INC3: its row reads "–" throughout.
    assert f"<td{CELL}>Group A</td><td>1</td><td>0%</td><td>– / – / –</td>" in html
    assert f"<td{CELL}>Group B</td>" in html


def test_report_of_one_incident_gives_the_wait_for_the_close_apart():
    from django.template.loader import render_to_string

    from apps.reports.rendering import report_context

    trace = history.incident_trace(_three_updates()["INC1"])
    context = report_context(build_report([trace], imported=True), title="INC1")

    html = render_to_string("reports/_report.html", {"report_view": context})

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # Resolved at 10:05, closed at 12:00: the 1 h 55 min between is no
    # state's time, and only said apart.
    states = context["steps"]["states"]
    assert [(r["state"], r["median_ms"]) for r in states["rows"]] == [
        ("Active", 55 * MINUTE),
        ("New", 10 * MINUTE),
    ]
    assert (
        "After resolution, until closed: 1 h 55 min. This wait for the close is "
        "not resolution time and is not counted above."
    ) in text
    assert "Close is the time after that, until it was closed" in text
    assert "the SOP lists under Resolve" not in text


def test_a_header_without_required_columns_names_them():
    required = history.REQUIRED_COLUMNS
    with pytest.raises(history.HistoryError, match=r"^The file lacks the columns "):
        history.check_columns(["sys_updated_on"])
    with pytest.raises(
        history.HistoryError, match=r"^The file lacks the column number\.$"
    ):
        history.check_columns([name for name in required if name != "number"])
