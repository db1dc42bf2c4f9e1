import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.workflows import render
from apps.workflows.documents import document_data
from apps.workflows.mermaid import (
    MAX_LABEL,
    WRAP_WIDTH,
    ZERO_WIDTH_SPACE,
    build_mermaid,
    document_steps,
    escape,
    phase_maps,
)
from apps.workflows.phases import assign_phases
from apps.workflows.sop import build_sop
from apps.workflows.steps import Decision, Step, build_steps, wait_text
from tests.workflows import recording_factory as rf

MERMAID_JS = Path(settings.BASE_DIR) / "node_modules/mermaid/dist/mermaid.min.js"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE_TEXT = st.lists(
    st.sampled_from(
        list("\"'`<>&#;:|[](){}-=%/\\ abcXYZ019")
        + ["end", "graph", "subgraph", "#quot;", "🚨", "ש", "ع", "é", "\u200f", "\n"]
    ),
    min_size=1,
    max_size=30,
).map("".join)


def _step(number, text, *, kind="action", system="Sys", phase="log", value=None):
    decision = Decision(field=text, value=value or text) if kind == "decision" else None
    return Step(
        ref=f"r{number}",
        key="k",
        kind=kind,
        verb="x",
        text=text,
        system=system,
        system_kind="other",
        start_ms=number * 1000,
        end_ms=number * 1000 + 1000,
        evidence=(number,),
        phase=phase,
        decision=decision,
    )


def _shown(text):
    """Return how a label should read once Mermaid has drawn it."""
    text = text.replace('"', "\u201d").replace("`", "\u02cb").replace("\\", "\u29f5")
    return re.sub(r"\s+", "", text)


def _svg_text(svg):
    root = ET.fromstring(svg)
    texts = [
        "".join(node.itertext())
        for node in root.iter("{http://www.w3.org/2000/svg}text")
    ]
    return re.sub(r"\s+", "", "".join(texts)).replace(ZERO_WIDTH_SPACE, "")


def _render(source):
    return render.render_svg(
        source, chromium_path=settings.CHROMIUM_PATH, mermaid_js=str(MERMAID_JS)
    )


def test_escape_leaves_nothing_mermaid_would_read_as_syntax():
    text = escape('a "b" `c` <d> & #quot; \\ e\nf')

    assert '"' not in text and "`" not in text and "\\" not in text
    assert "<" not in text.replace("<br>", "") and ">" not in text.replace("<br>", "")
    assert not re.search(r"#\w+;", text)
    assert text.count("<br>") == 1


def test_build_mermaid_has_lanes_decisions_systems_and_durations():
    recording = rf.network_outage()
    source = build_mermaid(assign_phases(build_steps(recording.events)))

    assert "htmlLabels: false" in source
    for number, title in enumerate(("Log", "Triage", "Investigate", "Resolve"), 1):
        assert f'\tp{number}["{title}"]\n' in source
    assert re.search(r's\d+\{\{"\d+\. Set Priority<br>ServiceNow · \d+ s"\}\}', source)
    assert "Grafana · 21 s" in source
    assert "class p1,p2,p3,p4,p5 lane" in source


def test_build_mermaid_hangs_each_lane_from_its_heading_by_a_hidden_link():
    steps = [
        _step(1, "Open the queue", phase="log"),
        _step(2, "Open the alert", phase="triage"),
        _step(3, "Check the host", phase="triage"),
    ]

    source = build_mermaid(steps)

    assert "\tp1 ~~~ s1\n" in source
    assert "\tp2 ~~~ s2\n" in source
    assert "\ts2 --> s3\n" in source
    assert "s1 --> s2" not in source


FOUR_STEPS_THREE_LANES = [
    _step(1, "Open the queue", phase="log"),
    _step(2, "Open the alert", phase="triage"),
    _step(3, "Check the host", phase="triage"),
    _step(4, "Close it", phase="close"),
]


def test_build_mermaid_names_the_lanes_to_link_one_to_the_next():
    steps = FOUR_STEPS_THREE_LANES

    source = build_mermaid(steps)

    assert source.endswith("\n%% lanes s1-s1 s2-s3 s4-s4\n")
    assert "%% lanes" not in build_mermaid(steps[:1])


def test_build_mermaid_wraps_long_labels_and_is_the_same_every_time():
    text = "Open the core network dashboard for the Berlin site uplink"
    steps = [_step(1, text, system="Grafana")]

    source = build_mermaid(steps)

    label = re.search(r's1\["(.*)"\]', source)[1]
    lines = label.split("<br>")
    assert " ".join(lines[:-1]) == f"1. {text}"
    assert all(len(line) <= WRAP_WIDTH for line in lines)
    assert lines[-1] == "Grafana · 1 s"
    assert build_mermaid(list(steps)) == source


def test_build_mermaid_cuts_a_long_step_at_a_word_and_keeps_its_system():
    text = "Check the uplink of every branch router before calling the carrier " * 30
    steps = [_step(1, text, system="Grafana")]

    label = re.search(r's1\["(.*)"\]', build_mermaid(steps))[1]
    lines = label.split("<br>")
    words = " ".join(lines[:-1])

    assert len(words) <= MAX_LABEL
    assert words.endswith("…")
    assert f"1. {text}".startswith(words[:-1])
    assert words[:-1].split()[-1] in text.split()
    assert lines[-1] == "Grafana · 1 s"


def test_build_mermaid_cuts_one_endless_word_where_it_stands():
    steps = [_step(1, "Q" * 400)]

    label = re.search(r's1\["(.*)"\]', build_mermaid(steps))[1]
    words = "".join(label.split("<br>")[:-1])

    assert words == "1. " + "Q" * (MAX_LABEL - 4) + "…"


def test_build_mermaid_keeps_a_duration_on_one_line_under_a_long_system():
    steps = [_step(1, "Sign in", system="Network admin console of the core")]

    label = re.search(r's1\["(.*)"\]', build_mermaid(steps))[1]

    assert label.split("<br>")[-2:] == ["Network admin console of", "the core · 1 s"]


def test_build_mermaid_condenses_long_runs_but_keeps_phases():
    recording = rf.synthetic(3000, seed=5)
    steps = assign_phases(build_steps(recording.events))
    source = build_mermaid(steps, max_nodes=100)

    nodes = re.findall(r"^\ts\d+[\[({>]", source, re.MULTILINE)
    assert 0 < len(nodes) <= 100
    assert len(steps) > 1000
    assert "class p1,p2,p3,p4,p5 lane" in source


def test_phase_maps_split_each_phase_into_parts_of_whole_lanes():
    steps = [_step(i, f"Step {i}", phase="investigate") for i in range(1, 24)]
    steps += [_step(24, "Close it", phase="close")]

    parts = phase_maps(steps, rows=4, lanes=2)

    assert [(p.phase, p.first, p.last, p.part, p.parts) for p in parts] == [
        ("investigate", 1, 8, 1, 3),
        ("investigate", 9, 16, 2, 3),
        ("investigate", 17, 23, 3, 3),
        ("close", 24, 24, 1, 1),
    ]
    assert '\tp1["Steps 1–4"]\n' in parts[0].source
    assert parts[0].source.endswith("%% lanes s1-s4 s5-s8\n")
    assert "%% lanes" not in parts[3].source
    assert '\tp2["Steps 5–8"]\n' in parts[0].source
    assert '\tp1["Step 24"]\n' in parts[-1].source


def test_build_mermaid_draws_a_wait_unnumbered_and_numbers_on_across_it():
    steps = [
        _step(1, "Save the incident"),
        _step(2, "Wait for Network: 1 s in the recording", kind="wait"),
        _step(3, "Close the incident"),
    ]

    source = build_mermaid(steps)

    assert '\ts1["1. Save the incident<br>Sys · 1 s"]\n' in source
    # The wait's text says its time: no system and no second duration.
    assert '\ts2(["Wait for Network: 1 s in<br>the recording"])\n' in source
    assert '\ts3["2. Close the incident<br>Sys · 1 s"]\n' in source
    assert "\tclass s2 wait\n" in source


def test_build_mermaid_gives_a_wait_no_second_time_beside_its_rounded_one():
    steps = [
        _step(1, "Save the incident"),
        replace(
            _step(2, wait_text(212_000, "Network"), kind="wait"),
            start_ms=2000,
            end_ms=214_000,
        ),
        replace(_step(3, "Wait for Network, edited", kind="wait"), end_ms=214_000),
    ]

    source = build_mermaid(steps)

    assert (
        '\ts2(["Wait for Network to reply<br>(took 4 min in the<br>recording)"])\n'
        in (source)
    )
    assert "Wait for Network, edited<br>· 3 min 31 s" in source


def test_phase_maps_name_a_part_by_its_steps_not_its_waits():
    steps = [_step(1, "Wait for Network: 2 h", kind="wait", phase="investigate")]
    steps += [_step(i, f"Step {i}", phase="investigate") for i in range(2, 6)]
    steps += [_step(6, "Wait: 3 min", kind="wait", phase="close")]

    parts = phase_maps(steps, rows=4, lanes=1)

    assert [(p.phase, p.first, p.last, p.part) for p in parts] == [
        ("investigate", 1, 3, 1),
        ("investigate", 4, 4, 2),
        ("close", None, None, 1),
    ]
    assert '\tp1["Steps 1–3"]\n' in parts[0].source
    assert '\tp1["Wait"]\n' in parts[2].source


def test_document_steps_rebuild_the_map_of_the_stored_sop():
    recording = rf.network_outage()
    steps = assign_phases(build_steps(recording.events))
    document = document_data(build_sop(steps))

    assert build_mermaid(document_steps(document)) == build_mermaid(steps)


@pytest.mark.browser
def test_mermaid_renders_the_sample_map_in_chromium_with_svg_text_labels():
    recording = rf.network_outage()
    source = build_mermaid(assign_phases(build_steps(recording.events)))

    svg = _render(source)

    assert "foreignObject" not in svg
    assert re.search(r'<svg[^>]* width="\d+" height="\d+"', svg)
    shown = _svg_text(svg)
    for label in (
        "Set Priority",
        "Grafana · 21 s",
        "Choose the assignment group",
        "10 min",
    ):
        assert _shown(label) in shown


def _node_left(svg_root, number):
    """Return the left edge of step ``number``'s box in the drawn map."""
    for node in svg_root.iter(f"{SVG}g"):
        if re.search(rf"-flowchart-s{number}-\d+$", node.get("id", "")):
            x = float(re.match(r"translate\(([-\d.]+)", node.get("transform"))[1])
            shape = next(node.iter(f"{SVG}rect"))
            return x + float(shape.get("x"))
    raise AssertionError(f"No step {number} in the map")


@pytest.mark.browser
def test_rendered_map_leads_each_lane_into_the_next_by_an_arrow():
    steps = FOUR_STEPS_THREE_LANES

    root = ET.fromstring(_render(build_mermaid(steps)))

    arrows = [
        path for path in root.iter(f"{SVG}path") if "lane-link" in path.get("class", "")
    ]
    assert [path.get("data-lane-link") for path in arrows] == ["s1-s2", "s3-s4"]
    for path, number in zip(arrows, (2, 4), strict=True):
        end_x = float(re.findall(r"L([-\d.]+),", path.get("d"))[-1])
        assert end_x == pytest.approx(_node_left(root, number), abs=0.2)
        assert path.get("marker-end").endswith("_flowchart-v2-pointEnd)")


@pytest.mark.browser
def test_mermaid_renders_hostile_labels_and_shows_them():
    steps = [
        _step(
            i,
            text,
            kind=("action", "decision", "lookup")[i % 3],
            system=text,
            phase=("log", "triage", "investigate", "resolve", "close")[i % 5],
        )
        for i, text in enumerate(rf.HOSTILE, 1)
    ]
    source = build_mermaid(assign_phases(steps))

    shown = _svg_text(_render(source))

    for text in rf.HOSTILE:
        assert _shown(text) in shown, text


@pytest.mark.browser
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=6))
def test_mermaid_any_label_parses_and_appears(texts):
    steps = [
        _step(i, text, kind="decision" if i % 2 else "action", system=texts[-i])
        for i, text in enumerate(texts, 1)
    ]

    shown = _svg_text(_render(build_mermaid(steps)))

    for text in texts:
        assert _shown(escape_free(text)) in shown


def escape_free(text):
    # Mermaid draws a line break for a newline; whitespace is compared away.
    return " ".join(text.split())


def teardown_module():
    render.shutdown()
