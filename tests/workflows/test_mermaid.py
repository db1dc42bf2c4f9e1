import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.workflows import render
from apps.workflows.mermaid import ZERO_WIDTH_SPACE, build_mermaid, escape
from apps.workflows.phases import assign_phases
from apps.workflows.steps import Decision, Step, build_steps
from tests.workflows import recording_factory as rf

MERMAID_JS = Path(settings.BASE_DIR) / "node_modules/mermaid/dist/mermaid.min.js"
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


def test_build_mermaid_has_phases_diamonds_systems_and_durations():
    recording = rf.network_outage()
    source = build_mermaid(assign_phases(build_steps(recording.events)))

    assert "htmlLabels: false" in source
    for title in ("Log", "Triage", "Investigate", "Resolve", "Close"):
        assert f'["{title}"]' in source
    assert re.search(r's\d+\{"\d+\. Priority: 2 - High<br>\(ServiceNow\)"\}', source)
    assert '-->|"21 s"|' in source
    assert "p1 -->" in source


def test_build_mermaid_condenses_long_runs_but_keeps_phases():
    recording = rf.synthetic(3000, seed=5)
    steps = assign_phases(build_steps(recording.events))
    source = build_mermaid(steps, max_nodes=100)

    nodes = re.findall(r"^\ts\d+[\[({>]", source, re.MULTILINE)
    assert 0 < len(nodes) <= 100
    assert len(steps) > 1000
    assert source.count("subgraph") == 5


@pytest.mark.browser
def test_mermaid_renders_the_sample_map_in_chromium_with_svg_text_labels():
    recording = rf.network_outage()
    source = build_mermaid(assign_phases(build_steps(recording.events)))

    svg = _render(source)

    assert "foreignObject" not in svg
    assert re.search(r'<svg[^>]* width="\d+" height="\d+"', svg)
    shown = _svg_text(svg)
    for label in (
        "Priority: 2 - High",
        "(Grafana)",
        "Assignment group: Network",
        "10 min",
    ):
        assert _shown(label) in shown


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
