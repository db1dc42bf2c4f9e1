"""The SOP as Markdown. Pure: no Django."""

import re
from gettext import ngettext

from .sop import KIND_TITLES, PHASE_TIMES, format_duration

_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~])")


def md_escape(text):
    """Return ``text`` shown literally by any CommonMark renderer."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def render_markdown(sop, *, organization="", version=None):
    """Return the Markdown document for ``sop`` (a ``sop.Sop``)."""
    lines = [f"# {md_escape(sop.title)}", ""]
    byline = [f"Standard operating procedure, {_steps(sop.step_count)}"]
    if organization:
        byline.append(md_escape(organization))
    if version is not None:
        byline.append(f"version {version}")
    lines += [" · ".join(byline), ""]
    lines += ["## Purpose", "", md_escape(sop.purpose), ""]
    if sop.basis:
        lines += [f"*{md_escape(sop.basis)}*", ""]
    lines += ["## When to use it", "", md_escape(sop.when_to_use), ""]
    lines += ["## Roles", ""]
    lines += [f"- **{md_escape(name)}**: {md_escape(role)}" for name, role in sop.roles]
    lines += ["", "## Systems", ""]
    lines += [
        f"- {md_escape(name)} ({KIND_TITLES.get(kind, kind)}): {_actions(count)}"
        for name, kind, count in sop.systems
    ]
    lines += ["", f"## Steps ({_total(sop)})", ""]
    if sop.phases:
        lines += [f"*{PHASE_TIMES}*", ""]
    for phase in sop.phases:
        lines += [f"### {phase.title} ({format_duration(phase.duration_ms)})", ""]
        lines += [_step_line(step) for step in phase.steps]
        lines.append("")
    lines += ["## Decision rules", ""]
    lines += [f"- {md_escape(rule)}" for rule in sop.decision_rules] or [
        "No decision was observed."
    ]
    lines += ["", "## Notes from the agent", ""]
    lines += [
        f"- {md_escape(phase)}: {md_escape(note)}" for phase, note in sop.notes
    ] or ["The agent added no notes."]
    if sop.editor_notes:
        lines += ["", "## Notes from the editors", ""]
        lines += [
            f"- {md_escape(phase)}: {md_escape(note)}"
            for phase, note in sop.editor_notes
        ]
    lines += ["", "## What was not observed", ""]
    lines += [f"- {md_escape(sentence)}" for sentence in sop.not_observed]
    return "\n".join(lines).rstrip() + "\n"


def _steps(count):
    return ngettext("%(count)d step", "%(count)d steps", count) % {"count": count}


def _actions(count):
    return ngettext("%(count)d action", "%(count)d actions", count) % {"count": count}


def _total(sop):
    """Return "1 h 41 min in the recording, Close included", as the page says it."""
    total = f"{format_duration(sop.duration_ms)} in the recording"
    if sop.phases and sop.phases[-1].phase == "close":
        total += ", Close included"
    return total


def _step_line(step):
    text = md_escape(step.full_text)
    if step.number is None:
        # A wait is the run's time between two steps, shown between them.
        return f"*{text}*  "
    if step.kind == "decision":
        text = f"**Decision:** {text}"
    if step.aside:
        text = f"*{md_escape(step.aside)}:* {text}"
    # A step an editor added has no recorded events to point to.
    evidence = ""
    if step.evidence:
        word = "event" if len(step.evidence) == 1 else "events"
        evidence = f" ({word} {', '.join(str(seq) for seq in step.evidence)})"
    # A note is typed into no system, and one added by an editor took no
    # recorded time.
    system = ""
    if step.system and step.kind != "note":
        system = f"{md_escape(step.system)}, "
    duration = format_duration(step.duration_ms)
    if step.added or (step.kind == "note" and not step.evidence):
        duration = "added, not recorded"
    example = f", in the recording: {md_escape(step.example)}" if step.example else ""
    runs = f", {step.runs}" if step.runs else ""
    return f"{step.number}\\. {text} — {system}{duration}{example}{runs}{evidence}  "
