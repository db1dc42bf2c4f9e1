"""From a recording's events to every generated artefact, in one pure call.

No Django, no clock, no network: the shell loads rows, calls ``generate``,
and stores what it returns. Rendering SVG and PDF happens in the shell.
"""

from dataclasses import dataclass, field, replace

from .bpmn import build_bpmn
from .edits import apply_edits, phase_overrides
from .markdown import render_markdown
from .mermaid import build_mermaid
from .phases import PHASES, assign_phases
from .sop import build_sop
from .steps import build_steps, step_from_dict, step_to_dict, xml_safe
from .systems import Classifier


@dataclass(frozen=True, slots=True)
class Generated:
    steps: list
    sop: object
    markdown: str
    mermaid: str
    bpmn: bytes
    skipped_edits: list
    # The run's steps as recorded, for the report: see ``recorded_steps``.
    recorded: list = field(default_factory=list)


def _built_steps(events, *, rules, privacy, wait_threshold_ms=None):
    privacy = privacy or {}
    options = {}
    if wait_threshold_ms is not None:
        options["wait_threshold_ms"] = wait_threshold_ms
    return build_steps(
        events,
        classifier=Classifier(rules),
        skipped_fields=privacy.get("skipped_fields") or (),
        **options,
    )


def phased_steps(events, *, rules=(), privacy=None, edits=(), wait_threshold_ms=None):
    """Return ``(steps, skipped_edits)``: steps with phases and edits applied."""
    steps = _built_steps(
        events, rules=rules, privacy=privacy, wait_threshold_ms=wait_threshold_ms
    )
    assign_phases(steps, overrides=phase_overrides(edits))
    return apply_edits(steps, edits)


def recorded_steps(events, *, rules=(), privacy=None):
    """Return a run's steps as recorded, as stored data, in recorded order.

    Phases come from the recorder's marks and the rules alone, and none of
    the SOP editor's changes is applied: deleting, merging, rewording or
    moving a step in the SOP documents the process differently, but the run
    still took the time and the steps it took. ``report_steps`` reads them,
    with the phase moves and rewording applied.
    """
    steps = assign_phases(_built_steps(events, rules=rules, privacy=privacy))
    return _recorded(steps)


def _recorded(steps):
    return [step_to_dict(_xml_safe(step)) for step in steps]


def report_steps(recorded, *, edits=()):
    """Return the steps a report measures for one run's ``recorded`` steps.

    Every recorded step stays, with its recorded times. Of ``edits`` only
    the editor's phase moves and rewording apply, and both at once to every
    run's report, without building the runs again. A move is the team's
    correction of which phase a step belongs to, so the report splits time
    by phase as the SOP does; a moved step carries the steps after it that
    no mark or rule places, as in a newly generated SOP. A reworded step is
    called by the team's words, so a name a team takes out of a step's text
    leaves the report too; its key, kind and times stay as recorded.
    Deletes, merges, splits, reordering and notes never reach the report.
    Steps come in the SOP's order: phase by phase, as recorded within each.
    """
    steps = [step_from_dict(data) for data in recorded]
    assign_phases(steps, overrides=phase_overrides(edits))
    return _by_phase(_reworded(steps, edits))


def _reworded(steps, edits):
    """Return ``steps`` with each reworded one's text the last rewording's."""
    texts = {edit["ref"]: edit["text"] for edit in edits if edit["op"] == "reword"}
    return [
        replace(step, text=xml_safe(texts[step.ref])) if step.ref in texts else step
        for step in steps
    ]


def _xml_safe(step):
    return replace(step, text=xml_safe(step.text), note=xml_safe(step.note))


def _by_phase(steps):
    return sorted(steps, key=lambda step: PHASES.index(step.phase))


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
    runs=(),
):
    """Return every artefact of one SOP version as a ``Generated``.

    ``runs`` are the workflow's other runs' steps as recorded, oldest first:
    the SOP says which steps not every run took and what each run chose.
    """
    steps = assign_phases(_built_steps(events, rules=rules, privacy=privacy))
    recorded = _recorded(steps)
    assign_phases(steps, overrides=phase_overrides(edits))
    steps, skipped = apply_edits(steps, edits)
    generated = from_steps(
        steps,
        title=title,
        kind=kind,
        agent=agent,
        privacy=privacy,
        organization=organization,
        version=version,
        skipped=skipped,
        runs=runs,
    )
    return replace(generated, recorded=recorded)


def from_steps(
    steps, *, title, kind, agent, privacy, organization, version, skipped=(), runs=()
):
    # An editor's words are people's input too; no artefact may carry what
    # XML cannot hold. Every artefact reads the steps phase by phase, in the
    # order recorded within each, so a dashboard looked at before the ticket
    # was logged is numbered with triage and the numbers never run backwards.
    steps = _by_phase(_xml_safe(step) for step in steps)
    sop = build_sop(
        steps, title=title, kind=kind, agent=agent, privacy=privacy, runs=runs
    )
    return Generated(
        steps=[step_to_dict(step) for step in steps],
        sop=sop,
        markdown=render_markdown(sop, organization=organization, version=version),
        mermaid=build_mermaid(steps),
        bpmn=build_bpmn(steps, title=sop.title),
        skipped_edits=list(skipped),
    )
