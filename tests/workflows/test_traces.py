"""The sample incident as the report reads it: no self-contradiction."""

import re

from django.template.loader import render_to_string

from apps.reports.measures import run_measures
from apps.reports.rendering import report_context
from apps.reports.report import build_report
from apps.workflows.pipeline import phased_steps
from apps.workflows.sop import build_sop
from apps.workflows.steps import Decision, Step
from apps.workflows.traces import steps_to_trace

from . import recording_factory as rf


def _sample():
    recording = rf.network_outage()
    steps, _skipped = phased_steps(recording.events)
    trace = steps_to_trace(steps, run_id="r1", agent=recording.agent)
    return steps, trace


def test_steps_to_trace_sample_has_no_rework():
    _steps, trace = _sample()

    # State changes, saves, switching back to the ticket and the two notes
    # are all different actions, not work done again.
    assert run_measures(trace)["rework"] == []


def test_steps_to_trace_sample_assignments_are_handoffs():
    _steps, trace = _sample()

    moves = run_measures(trace)["handoffs"]

    # Network and Dana Wright are chosen on one form and saved together: one
    # hand-off to "group (owner)". Work resumes with the Prometheus lookup
    # the moment that save ends, so the hand-off waited for nothing.
    assert [(m["from"], m["to"], m["wait_ms"]) for m in moves] == [
        ("Sam Keller", "Network (Dana Wright)", 0),
    ]
    report = build_report([trace])
    assert report.health["parts"]["handoffs"]["value"] == 0.5


def test_steps_to_trace_sample_resolution_ends_when_resolved():
    _steps, trace = _sample()

    timing = run_measures(trace)["timing"]

    # "Set State to Resolved" ends at 372.85 s; the save, the 10-minute wait,
    # the Slack note and closing (to 1,029.15 s) are close-out time.
    assert timing["resolution_ms"] == 372_850
    assert timing["close_ms"] == 656_300
    assert sum(timing["split"].values()) == timing["resolution_ms"]
    report = build_report([trace])
    bottlenecks = [f for f in report.findings if f["type"] == "bottleneck"]
    assert not any("itsm:wait:idle" in f["steps"] for f in bottlenecks), (
        "the wait after Resolved is close-out, not a bottleneck"
    )
    assert report.health["parts"]["flow"]["value"] == 1


def test_steps_to_trace_sample_every_idle_wait_is_an_alert():
    _steps, trace = _sample()

    measures = run_measures(trace)

    waits = [(w["before"], w["duration_ms"]) for w in measures["idle_waits"]]
    assert waits == [("itsm:wait:idle", 600_000)]
    alerts = measures["openings"]["stall_alerts"]
    assert [(a["key"], a["wait_ms"]) for a in alerts] == waits


def test_steps_to_trace_decisions_with_an_observed_rule_are_documented():
    steps, trace = _sample()
    sop = build_sop(steps)

    gaps = run_measures(trace)["documentation_gaps"]
    undocumented = [
        (g["key"], g["value"]) for g in gaps if g["type"] == "decision_without_rule"
    ]

    # Every triage choice has a lookup before it; the channel and the state
    # chosen without one are steps, not decisions owed a rule.
    assert undocumented == []
    assert any("look at Core network" in rule for rule in sop.decision_rules)


def test_steps_to_trace_sample_documentation_is_one_finding():
    _steps, trace = _sample()

    report = build_report([trace])

    [finding] = [f for f in report.findings if f["type"] == "missing_documentation"]
    assert finding["params"]["decisions"] == []
    assert finding["params"]["notes"] == ["communication:note:note"]


def _step(**fields):
    """Return one ITSM step starting at 0, with ``fields`` filled in."""
    return Step(ref="s1", system_kind="itsm", start_ms=0, **fields)


def test_steps_to_trace_stored_step_without_topic_is_ownership():
    step = _step(
        key="itsm:set:assignment-group",
        kind="decision",
        verb="set",
        text="Assign to Network",
        system="ServiceNow",
        end_ms=1_000,
        evidence=(1,),
        phase="triage",
        decision=Decision(field="Assignment group", value="Network"),
    )

    trace = steps_to_trace([step], run_id="r1", agent="Sam Keller")

    assert trace.activities[0].decision.topic == "team"
    assert len(run_measures(trace)["handoffs"]) == 1


def test_steps_to_trace_sample_report_reads_plainly():
    _steps, trace = _sample()
    context = report_context(build_report([trace]), title="Sample")

    html = render_to_string("reports/_report.html", {"report_view": context})

    assert "6 lookups that similar past incidents could short-cut" in html
    assert "1 wait that a stalled-incident alert would catch" in html
    assert "Ownership did not move" not in html
    assert "Sam Keller → Network" in html
    # The only idle wait comes after the incident was resolved.
    assert re.findall(r"Flow: (\S+) / 25", html) == ["25"]
    assert re.findall(r"Hand-offs: (\S+) / 20", html) == ["10"]
    assert "typically takes" not in html
    assert '<details class="health-formula">' in html
    assert "chosen without a recorded rule" not in html
    assert html.count("Missing documentation") == 1


def test_steps_to_trace_wait_reads_without_its_duration():
    wait = _step(
        key="itsm:wait:idle",
        kind="wait",
        verb="wait",
        text="Wait 41 min 26 s (no activity was recorded)",
        system="IT Service Desk",
        end_ms=2_486_000,
        evidence=(),
        phase="investigate",
    )

    [activity] = steps_to_trace([wait], run_id="r1").activities

    assert activity.label == "Wait with no activity recorded"
    assert activity.duration_ms == 2_486_000
