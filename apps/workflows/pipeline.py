"""From a recording's events to every generated artefact, in one pure call.

No Django, no clock, no network: the shell loads rows, calls ``generate``,
and stores what it returns. Rendering SVG and PDF happens in the shell.
"""

from dataclasses import dataclass, replace

from .bpmn import build_bpmn
from .edits import apply_edits, phase_overrides
from .markdown import render_markdown
from .mermaid import build_mermaid
from .phases import PHASES, assign_phases
from .sop import build_sop
from .steps import build_steps, step_to_dict, xml_safe
from .systems import Classifier


@dataclass(frozen=True, slots=True)
class Generated:
    steps: list
    sop: object
    markdown: str
    mermaid: str
    bpmn: bytes
    skipped_edits: list


def phased_steps(events, *, rules=(), privacy=None, edits=(), wait_threshold_ms=None):
    """Return ``(steps, skipped_edits)``: steps with phases and edits applied."""
    privacy = privacy or {}
    options = {}
    if wait_threshold_ms is not None:
        options["wait_threshold_ms"] = wait_threshold_ms
    steps = build_steps(
        events,
        classifier=Classifier(rules),
        skipped_fields=privacy.get("skipped_fields") or (),
        **options,
    )
    assign_phases(steps, overrides=phase_overrides(edits))
    return apply_edits(steps, edits)


def generate(
    events,
    *,
    title="",
    kind="incident",
    agent="",
    privacy=None,
    rules=(),
    edits=(),
    organization="",
    version=None,
):
    """Return every artefact of one SOP version as a ``Generated``."""
    steps, skipped = phased_steps(events, rules=rules, privacy=privacy, edits=edits)
    return from_steps(
        steps,
        title=title,
        kind=kind,
        agent=agent,
        privacy=privacy,
        organization=organization,
        version=version,
        skipped=skipped,
    )


def from_steps(
    steps, *, title, kind, agent, privacy, organization, version, skipped=()
):
    # An editor's words are people's input too; no artefact may carry what
    # XML cannot hold. Every artefact reads the steps phase by phase, in the
    # order recorded within each, so a dashboard looked at before the ticket
    # was logged is numbered with triage and the numbers never run backwards.
    steps = sorted(
        (
            replace(step, text=xml_safe(step.text), note=xml_safe(step.note))
            for step in steps
        ),
        key=lambda step: PHASES.index(step.phase),
    )
    sop = build_sop(steps, title=title, kind=kind, agent=agent, privacy=privacy)
    return Generated(
        steps=[step_to_dict(step) for step in steps],
        sop=sop,
        markdown=render_markdown(sop, organization=organization, version=version),
        mermaid=build_mermaid(steps),
        bpmn=build_bpmn(steps, title=sop.title),
        skipped_edits=list(skipped),
    )
