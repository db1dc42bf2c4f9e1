"""The SOP document as plain data, built only from what was observed.

Pure: no Django, no clock. Every sentence either states something the
recording shows or says plainly that it was not observed. Plurals go through
the standard library's ``ngettext``, so the words stay the same whatever the
language of the request that happens to build a version.
"""

from collections import Counter
from dataclasses import dataclass, field
from gettext import ngettext

from apps.reports.duration import format_duration as format_duration

from .phases import PHASES
from .steps import choice_text, shows_value, xml_safe

# Steps no system is credited with: a wait is no one acting, and a note is
# the agent's own words, typed into no system (or added by an editor).
UNATTRIBUTED_KINDS = ("wait", "note")
# What the SOP shows between its steps, unnumbered: the recorded run's time
# of waiting is not something to do.
UNNUMBERED_KINDS = ("wait",)
COUNTED_WORDS = {
    "action": ("%(count)d action", "%(count)d actions"),
    "note": ("%(count)d note", "%(count)d notes"),
    "step": ("%(count)d step", "%(count)d steps"),
    "waited": ("once", "%(count)d times"),
}
PHASE_TITLES = {
    "log": "Log",
    "triage": "Triage",
    "investigate": "Investigate",
    "resolve": "Resolve",
    "close": "Close",
}
KIND_TITLES = {
    "itsm": "ITSM",
    "monitoring": "Monitoring and alerting",
    "admin": "Admin and infrastructure",
    "communication": "Email and chat",
    "other": "Other",
}
# One name for each rule in ``apps.recordings.redaction.RULES``.
REDACTION_NAMES = {
    "query": ("query string", "query strings"),
    "bearer": ("bearer token", "bearer tokens"),
    "jwt": ("signed token (JWT)", "signed tokens (JWT)"),
    "api_key": ("API key", "API keys"),
    "email": ("email address", "email addresses"),
    "iban": ("IBAN", "IBANs"),
    "card": ("card number", "card numbers"),
    "account": ("account number", "account numbers"),
    "phone": ("phone number", "phone numbers"),
    "secret": ("secret", "secrets"),
    "digits": ("long number", "long numbers"),
}
# The key of a note an editor added (``edits._note``): no recorded event,
# no system, no recorded time.
ADDED_NOTE_KEY = "editor:note"
# A lookup's verb, left out where a decision rule says what was looked at:
# "after looking at Core network in Grafana".
LOOKUP_VERBS = ("Open ", "Switch to ", "Search ", "Click ", "Choose ")
# The step builder cuts a note step's text to one line, "Note: " and the note.
NOTE_PREFIX = "Note: "
CUT_MARK = "…"
# A receipt stored before its keys were checked may name anything: such a
# key is counted but never printed.
OTHER_REDACTION = ("other value", "other values")


@dataclass(frozen=True, slots=True)
class SopStep:
    # None for a wait, which is shown between the steps, not as one.
    number: int | None
    ref: str
    text: str
    # The text in full where ``text`` is cut: the SOP's documents show this,
    # the map the shorter ``text``.
    full_text: str
    kind: str
    system: str
    system_kind: str
    duration_ms: int
    evidence: tuple[int, ...]
    decision: dict | None = None
    withheld: bool = False
    edited: bool = False
    # What the recording showed where the text says "the incident", "the
    # host" or names only the choice to make: the record number, the host's
    # name, the value chosen. An example beside the instruction, never the
    # instruction.
    example: str = ""
    # A note an editor added: it took no recorded time in no system.
    added: bool = False


@dataclass(frozen=True, slots=True)
class SopPhase:
    phase: str
    title: str
    duration_ms: int
    steps: tuple[SopStep, ...]


@dataclass(frozen=True, slots=True)
class Sop:
    title: str
    purpose: str
    when_to_use: str
    roles: tuple[tuple[str, str], ...]
    systems: tuple[tuple[str, str, int], ...]
    phases: tuple[SopPhase, ...]
    decision_rules: tuple[str, ...]
    # The recording agent's notes; ``editor_notes`` are those added since.
    notes: tuple[tuple[str, str], ...]
    not_observed: tuple[str, ...]
    duration_ms: int
    step_count: int
    facts: dict = field(default_factory=dict)
    editor_notes: tuple[tuple[str, str], ...] = ()


def build_sop(steps, *, title="", kind="incident", agent="", privacy=None):
    """Return the ``Sop`` for steps that already carry their phases."""
    # The recording's own words reach the BPMN, the SVG and the PDF too.
    title, kind, agent = xml_safe(title or ""), xml_safe(kind or ""), xml_safe(agent)
    numbers = step_numbers(step.kind for step in steps)
    numbered = [
        _sop_step(number, step, example)
        for number, step, example in zip(numbers, steps, _examples(steps), strict=True)
    ]
    phases = _phases(numbered, steps)
    choices = [step for step in steps if step.decision is not None]
    decisions = [step for step in choices if step.kind == "decision"]
    systems = _systems(steps)
    kind_word = kind or "incident"
    return Sop(
        title=title or f"Handle a recorded {kind_word}",
        purpose=_purpose(kind_word, steps, systems),
        when_to_use=_when_to_use(kind_word, title, decisions),
        roles=_roles(agent, decisions),
        systems=systems,
        phases=phases,
        decision_rules=tuple(_decision_rule(step) for step in decisions),
        notes=_notes(step for step in steps if not is_added(step)),
        not_observed=_not_observed(privacy, steps, PHASES, phases),
        duration_ms=sum(step.duration_ms for step in steps),
        step_count=sum(number is not None for number in numbers),
        facts=_facts(choices),
        editor_notes=_notes(filter(is_added, steps)),
    )


def is_added(step):
    """Return whether ``step`` is a note an editor added, not a recorded one."""
    return step.key == ADDED_NOTE_KEY


def _notes(steps):
    return tuple(
        (PHASE_TITLES.get(step.phase, step.phase), step.note)
        for step in steps
        if step.kind == "note" and step.note
    )


def step_numbers(kinds):
    """Return each step's number in the SOP, given the steps' kinds in order.

    Steps are numbered 1, 2, 3… in order; a wait gets None and takes no
    number, so the numbers run on across it. Every place that names a step
    by its number (the documents, the map, the editor, the evidence pages,
    search and version comparison) numbers through this one rule.
    """
    numbers, count = [], 0
    for kind in kinds:
        if kind in UNNUMBERED_KINDS:
            numbers.append(None)
        else:
            count += 1
            numbers.append(count)
    return numbers


def numbered_steps(steps):
    """Return the stored steps that take a number, in order: the n-th is step n.

    ``steps`` are a version's stored steps (dicts) in SOP order; the rule is
    ``step_numbers``'s.
    """
    return [step for step in steps if step.get("kind") not in UNNUMBERED_KINDS]


def _sop_step(number, step, example):
    decision = None
    if step.decision is not None:
        decision = {
            "field": step.decision.field,
            "value": step.decision.value,
            "topic": step.decision.topic,
            "looked_at": list(step.decision.looked_at),
            "previous": list(step.decision.previous),
        }
    return SopStep(
        number=number,
        ref=step.ref,
        text=step.text,
        full_text=_full_text(step),
        kind=step.kind,
        system=step.system,
        system_kind=step.system_kind,
        duration_ms=step.duration_ms,
        evidence=tuple(step.evidence),
        decision=decision,
        withheld=step.withheld,
        # An added note is new, not edited: "added, not recorded" says so.
        edited=step.edited and not is_added(step),
        example=example,
        added=is_added(step),
    )


def _examples(steps):
    """Return, per step, what the recording showed to print beside it, or "".

    A step whose text says "the incident" where the recording showed
    INC0048213 gives that number once, at the first step naming it: the
    example shows which record is meant without repeating it at every step.
    A host's name is shown the same way. A choice whose step names only the
    choice to make ("Set Impact") gives the value chosen, at every choice.
    """
    seen = set()
    examples = []
    for step in steps:
        if step.decision is not None and not shows_value(step.decision):
            examples.append(step.decision.value)
            continue
        ticket = step.ticket or ""
        shown = ticket and ticket not in step.text and ticket not in seen
        examples.append(xml_safe(ticket) if shown else "")
        seen.add(ticket)
    return examples


def _full_text(step):
    """Return the step's text whole: a note step cut from its note reads in full.

    A note step an editor reworded no longer reads as a cut of its note, and
    keeps the editor's words.
    """
    if step.kind != "note" or not step.note:
        return step.text
    whole = NOTE_PREFIX + " ".join(step.note.split())
    if step.text.endswith(CUT_MARK) and whole.startswith(step.text[:-1]):
        return whole
    return step.text


def _phases(numbered, steps):
    result = []
    for phase in PHASES:
        members = tuple(
            sop_step
            for sop_step, step in zip(numbered, steps, strict=True)
            if step.phase == phase
        )
        if members:
            result.append(
                SopPhase(
                    phase=phase,
                    title=PHASE_TITLES[phase],
                    duration_ms=sum(step.duration_ms for step in members),
                    steps=members,
                )
            )
    return tuple(result)


def _is_action(step):
    """Return whether ``step`` is done in a system: not a wait, not a note.

    The one count rule of the SOP: the header counts every step, while the
    Purpose and the Systems list count actions, so that the systems' counts
    add up to the Purpose's.
    """
    return step.kind not in UNATTRIBUTED_KINDS


def _systems(steps):
    counts = {}
    for step in filter(_is_action, steps):
        key = (step.system, step.system_kind)
        counts[key] = counts.get(key, 0) + 1
    return tuple((name, kind, count) for (name, kind), count in counts.items())


def _purpose(kind, steps, systems):
    names = [name for name, _kind, _count in systems]
    actions = sum(count for _name, _kind, count in systems)
    if not actions:
        return f"The recording of this {kind} holds no steps to follow."
    counted = _counted("action", actions)
    notes = Counter(is_added(step) for step in steps if step.kind == "note")
    total = ""
    if notes[False]:
        numbered = actions + notes[False]
        total = (
            f", plus {_counted('note', notes[False])}: "
            f"{_counted('step', numbered)} in all"
        )
    sentence = (
        f"Handle {_a(kind)} the way it was handled in the recorded run: "
        f"{counted} in {_join(names)}{total}."
    )
    waits = [step for step in steps if step.kind == "wait"]
    if waits:
        waited = format_duration(sum(step.duration_ms for step in waits))
        sentence += (
            f" The recorded run also waited {_counted('waited', len(waits))}, "
            f"{waited} in all, noted between the steps."
        )
    if notes[True]:
        sentence += f" The editors added {_counted('note', notes[True])}."
    return sentence


def _counted(word, count):
    singular, plural = COUNTED_WORDS[word]
    return ngettext(singular, plural, count) % {"count": count}


def _when_to_use(kind, title, decisions):
    sentence = f"Use it for {_a(kind)} like the recorded one"
    sentence += f", “{title}”." if title else "."
    chosen = [
        f"{step.decision.field} {step.decision.value}"
        for step in decisions
        if step.decision.topic in ("severity", "category", "team")
    ]
    if chosen:
        return f"{sentence} In the recorded run it was given {_join(chosen)}."
    return f"{sentence} The recording does not show how the {kind} was classified."


def _roles(agent, decisions):
    roles = [
        (
            "Service-desk agent",
            f"Did every recorded step ({agent})."
            if agent
            else "Did every recorded step.",
        )
    ]
    for step in decisions:
        decision = step.decision
        if decision.topic == "team":
            roles.append((decision.value, f"Chosen as {decision.field}."))
        elif decision.topic == "owner":
            roles.append((decision.value, f"Made the owner ({decision.field})."))
    unique = {}
    for name, role in roles:
        unique.setdefault(name, role)
    return tuple(unique.items())


def _decision_rule(step):
    """Return what the recording shows of how ``step``'s choice was made.

    "Impact was set to 2 - Medium after looking at Core network in Grafana."
    The value is the recorded one: when an editor has reworded the step
    since, the rule says so and quotes the step as it now reads.
    """
    decision = step.decision
    sentence = f"{decision.field} was set to {decision.value}"
    if decision.previous:
        sentence += f" (first {_join(decision.previous)}, then changed)"
    looked_at = list(dict.fromkeys(_looked_at(text) for text in decision.looked_at))
    if looked_at:
        sentence += f" after looking at {_join(looked_at)}."
    else:
        sentence += ", with nothing looked up just before."
    if step.edited and step.text != choice_text(decision):
        sentence += f" The step has since been reworded: “{step.text}”."
    return sentence


def _looked_at(text):
    """Return a lookup's text as what was looked at: "Core network in Grafana"."""
    for verb in LOOKUP_VERBS:
        if text.startswith(verb) and len(text) > len(verb):
            return text[len(verb) :]
    return text


def _not_observed(privacy, steps, phases, present):
    sentences = [
        "Values typed into fields are never recorded: a step names the field, "
        "not what was entered.",
        "What the systems showed in reply (messages, results) was not recorded.",
        "Work outside the browser, such as calls and typed chat messages, was "
        "not recorded; only the agent's notes describe it.",
    ]
    seen = {phase.phase for phase in present}
    missing = [PHASE_TITLES[phase] for phase in phases if phase not in seen]
    if missing:
        sentences.append(f"No step was observed in: {_join(missing)}.")
    withheld = sorted({step.text for step in steps if step.withheld})
    if withheld:
        sentences.append(
            f"Sensitive fields were used but their values withheld: {_join(withheld)}."
        )
    if privacy is not None:
        sentences.extend(_privacy_sentences(privacy))
    return tuple(sentences)


def _privacy_sentences(privacy):
    sentences = []
    counts = sorted((privacy.get("redactions") or {}).items())
    parts = []
    for name, count in counts:
        if count:
            one, many = REDACTION_NAMES.get(name, OTHER_REDACTION)
            parts.append(f"{count} {one if count == 1 else many}")
    if parts:
        sentences.append(f"The recorder removed {_join(parts)} from what it saw.")
    skipped = privacy.get("skipped_fields") or []
    if skipped:
        sentences.append(f"Fields not recorded at all: {_join(sorted(skipped))}.")
    for item in privacy.get("uninstrumented") or []:
        sentences.append(
            f"Pages on {item.get('origin', '')} were not recorded "
            f"({item.get('reason', 'no reason given')})."
        )
    return [xml_safe(sentence) for sentence in sentences]


def _facts(choices):
    facts = {}
    for step in choices:
        if step.decision.topic != "other":
            facts[step.decision.topic] = step.decision.value
    return facts


def _a(word):
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _join(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
