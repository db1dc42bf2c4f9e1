"""Every sample recording generates an SOP that reads in order.

Generated with the demo organization's system rules, as ``make demo`` does.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec
import pytest
from django.conf import settings

from apps.recordings import format
from apps.web.management.commands.demo_setup import DEMO_SAMPLES, DEMO_SYSTEM_RULES
from apps.workflows.phases import PHASES
from apps.workflows.pipeline import generate
from apps.workflows.systems import Rule

SAMPLES = Path(settings.BASE_DIR) / "apps" / "recordings" / "samples"
RULES = tuple(Rule(host, name, kind) for host, name, kind in DEMO_SYSTEM_RULES)


def _generate(path):
    recording = msgspec.json.decode(path.read_bytes(), type=format.Recording)
    return generate(
        recording.events,
        title=recording.title,
        agent=recording.agent,
        privacy=msgspec.to_builtins(recording.privacy),
        rules=RULES,
        organization="Demo Service Desk",
        version=1,
    )


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_generate_sample_numbers_steps_in_phase_order(path):
    generated = _generate(path)
    sop = generated.sop

    phases = [phase.phase for phase in sop.phases]
    assert phases == [phase for phase in PHASES if phase in phases]
    numbers = [step.number for phase in sop.phases for step in phase.steps]
    assert numbers == list(range(1, sop.step_count + 1))
    assert generated.markdown.startswith(f"# {sop.title}\n")
    for phase in sop.phases:
        assert f"\n### {phase.title} (" in generated.markdown
    assert "flowchart" in generated.mermaid
    ET.fromstring(generated.bpmn)


@pytest.mark.parametrize("name", [name for name, _joins in DEMO_SAMPLES])
def test_generate_demo_sample_knows_every_system_and_all_five_phases(name):
    sop = _generate(SAMPLES / name).sop

    assert [kind for _name, kind, _count in sop.systems if kind == "other"] == []
    assert [phase.phase for phase in sop.phases] == list(PHASES)
    assert sop.decision_rules
    assert sop.notes
