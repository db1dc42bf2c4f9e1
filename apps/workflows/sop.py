"""The SOP document as plain data, built only from what was observed.

Pure: no Django, no clock. Every sentence either states something the
recording shows or says plainly that it was not observed. Plurals go through
the standard library's ``ngettext``, so the words stay the same whatever the
language of the request that happens to build a version.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from gettext import ngettext

from apps.reports.duration import format_duration as format_duration
from apps.reports.duration import whole_seconds

from .phases import PHASES
from .steps import shows_value, xml_safe

# Steps no system is credited with: a wait is no one acting, and a note is
# the agent's own words, typed into no system (or added by an editor).
UNATTRIBUTED_KINDS = ("wait", "note")
# What the SOP shows between its steps, unnumbered: the recorded run's time
# of waiting is not something to do.
UNNUMBERED_KINDS = ("wait",)
COUNTED_WORDS = {
    "action": ("%(count)d action", "%(count)d actions"),
    "note": ("%(count)d note", "%(count)d notes"),
    "recording": ("%(count)d recording", "%(count)d recordings"),
    "run": ("%(count)d run", "%(count)d runs"),
    "step": ("%(count)d step", "%(count)d steps"),
    "system": ("%(count)d system", "%(count)d systems"),
    "wait": ("%(count)d wait", "%(count)d waits"),
}
PHASE_TITLES = {
    "log": "Log",
    "triage": "Triage",
    "investigate": "Investigate",
    "resolve": "Resolve",
    "close": "Close",
}
# What a phase's time spans, said before the phases. The report cuts its
# split of the resolution time at the moment the incident is resolved
# instead, so the same run's Resolve and Close differ there; a phase here
# is its steps, as the recorder marked or an editor moved them.
PHASE_TIMES = (
    "Each phase shows the time its steps took in the recording, waits "
    "included, so Resolve ends with its last step. In the report, Resolve ends "
    "when the state is set to Resolved, and the time after that counts as Close."
)
# The Purpose says how far the procedure takes the work: from the first
# phase it covers to the last, and where the last one leaves it.
PHASE_WORK = {
    "log": "logging",
    "triage": "triage",
    "investigate": "investigation",
    "resolve": "resolution",
    "close": "closure",
}
PHASE_OUTCOMES = {
    "log": "logged",
    "triage": "triaged and assigned",
    "investigate": "investigated, its cause noted",
    "resolve": "resolved",
    "close": "resolved and closed",
}
# What a team or an owner field stands for in the Roles: the field is the
# role, the value chosen only the recording's example.
ROLE_TEXTS = {
    "team": "The team the %(kind)s is handed to",
    "owner": "The person who owns the %(kind)s",
}
# A priority set after impact and urgency follows from them.
PRIORITY_FIELDS = ("priority",)
PRIORITY_INPUTS = ("impact", "urgency")
# The label of a recorded note in the procedure: the agent's words about one
# run, not an instruction.
RECORDED_NOTE_LABEL = "From the recording"
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
# The waits' time in the "Based on" line, as ``waited_text`` words it now
# and as it was stored before ("(1 h 32 min in all)"); a duration never
# holds a parenthesis.
WAITED_TEXT = re.compile(r"\((?:[^()]+ in all|[^()]+ of the [^()]+ in the recording)\)")
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
    # The label of an aside that narrates the recorded run, shown before its
    # text: a recorded note reads "From the recording: …".
    aside: str = ""
    # "in 1 of 2 runs" for a step that not every run of the workflow took.
    runs: str = ""


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
    # What the procedure was built from, in counts: "Based on 1 recording: …".
    basis: str = ""


def build_sop(steps, *, title="", kind="incident", agent="", privacy=None, runs=()):
    """Return the ``Sop`` for steps that already carry their phases.

    ``steps`` are the reference run's; ``runs`` the workflow's other runs'
    steps as recorded (stored dicts), oldest first. A step that not every
    run took says in how many it was, and a decision lists the values every
    run chose.
    """
    # The recording's own words reach the BPMN, the SVG and the PDF too.
    title, kind, agent = xml_safe(title or ""), xml_safe(kind or ""), xml_safe(agent)
    seen = RunsSeen.of(runs)
    numbers = step_numbers(step.kind for step in steps)
    numbered = [
        _sop_step(number, step, example, seen)
        for number, step, example in zip(numbers, steps, _examples(steps), strict=True)
    ]
    phases = _phases(numbered, steps)
    choices = [step for step in steps if step.decision is not None]
    decisions = [step for step in choices if step.kind == "decision"]
    systems = _systems(steps)
    kind_word = kind or "incident"
    return Sop(
        title=title or f"Handle a recorded {kind_word}",
        purpose=_purpose(kind_word, phases, systems),
        when_to_use=_when_to_use(kind_word, title, decisions),
        roles=_roles(kind_word, agent, decisions),
        systems=systems,
        phases=phases,
        decision_rules=_decision_rules(decisions, seen),
        notes=_notes(step for step in steps if not is_added(step)),
        not_observed=_not_observed(privacy, steps, PHASES, phases),
        duration_ms=sum(step.duration_ms for step in steps),
        step_count=sum(number is not None for number in numbers),
        facts=_facts(choices),
        editor_notes=_notes(filter(is_added, steps)),
        basis=_basis(steps, systems, seen.total, seen.others(steps)),
    )


@dataclass(frozen=True, slots=True)
class RunsSeen:
    """What the workflow's other runs did, by step ref, to compare with."""

    # Per other run: each ref it took, with the values its decisions chose.
    runs: tuple[dict, ...] = ()

    @classmethod
    def of(cls, runs):
        indexed = []
        for run in runs:
            refs = {}
            for data in run:
                if data.get("kind") in UNNUMBERED_KINDS:
                    continue
                decision = data.get("decision") or {}
                refs.setdefault(data.get("ref", ""), []).append(
                    xml_safe(str(decision.get("value", "")))
                )
            indexed.append(refs)
        return cls(tuple(indexed))

    @property
    def total(self):
        return 1 + len(self.runs)

    def count(self, step):
        """Return in how many runs, this one included, ``step`` was taken."""
        return 1 + sum(step.ref in refs for refs in self.runs)

    def values(self, step):
        """Return ``(value, runs)`` for each value chosen at ``step``'s ref."""
        chosen = Counter([step.decision.value])
        for refs in self.runs:
            chosen.update(list(dict.fromkeys(refs.get(step.ref, ()))))
        return [(value, chosen[value]) for value in dict.fromkeys(chosen)]

    def others(self, steps):
        """Return how many steps other runs took that this run never took."""
        mine = {step.ref for step in steps}
        return sum(ref not in mine for refs in self.runs for ref in refs)


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


def _sop_step(number, step, example, seen):
    decision = None
    if step.decision is not None:
        decision = {
            "field": step.decision.field,
            "value": step.decision.value,
            "topic": step.decision.topic,
            "looked_at": list(step.decision.looked_at),
            "previous": list(step.decision.previous),
        }
    full_text, aside = _full_text(step), ""
    if not is_added(step) and _is_note_text(step, full_text):
        full_text, aside = full_text[len(NOTE_PREFIX) :], RECORDED_NOTE_LABEL
    return SopStep(
        number=number,
        ref=step.ref,
        text=step.text,
        full_text=full_text,
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
        aside=aside,
        runs=_runs_text(step, seen),
    )


def _runs_text(step, seen):
    """Return "in 1 of 2 runs" for a step not every run took, else ""."""
    if is_added(step) or step.kind in UNNUMBERED_KINDS:
        return ""
    count = seen.count(step)
    if count == seen.total:
        return ""
    return f"in {count} of {_counted('run', seen.total)}"


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
    whole = _whole_note(step)
    if step.text.endswith(CUT_MARK) and whole.startswith(step.text[:-1]):
        return whole
    return step.text


def _whole_note(step):
    return NOTE_PREFIX + " ".join(step.note.split())


def _is_note_text(step, full_text):
    """Return whether a note step still reads as the agent's note, unreworded."""
    return step.kind == "note" and bool(step.note) and full_text == _whole_note(step)


def _phases(numbered, steps):
    """Return the SOP's phases, each with its steps and the time they took.

    A phase's time is in whole seconds, rounded as the report rounds its
    phases (``whole_seconds``): the phases add up to the SOP's total in
    whole seconds.
    """
    grouped = []
    for phase in PHASES:
        members = tuple(
            sop_step
            for sop_step, step in zip(numbered, steps, strict=True)
            if step.phase == phase
        )
        if members:
            grouped.append((phase, members))
    times = whole_seconds(
        sum(step.duration_ms for step in members) for _phase, members in grouped
    )
    return tuple(
        SopPhase(phase=phase, title=PHASE_TITLES[phase], duration_ms=ms, steps=members)
        for (phase, members), ms in zip(grouped, times, strict=True)
    )


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


def _purpose(kind, phases, systems):
    """Return what the procedure handles, how far it takes it, and the outcome.

    "Take an incident from logging to closure, working in IT Service Desk and
    Grafana. At the end the incident is resolved and closed in IT Service
    Desk." The counts are the ``basis``'s.
    """
    if not phases:
        return f"The recording of this {kind} holds no steps to follow."
    first, last = phases[0].phase, phases[-1].phase
    if first == last:
        sentence = f"Handle the {PHASE_WORK[first]} of {_a(kind)}"
    else:
        sentence = f"Take {_a(kind)} from {PHASE_WORK[first]} to {PHASE_WORK[last]}"
    names = [name for name, _kind, _count in systems]
    if names:
        sentence += f", working in {_join(names)}"
    tracked = [name for name, system_kind, _count in systems if system_kind == "itsm"]
    outcome = f"At the end the {kind} is {PHASE_OUTCOMES[last]}"
    if tracked and last in ("resolve", "close"):
        outcome += f" in {tracked[0]}"
    return f"{sentence}. {outcome}."


def _basis(steps, systems, runs=1, others=0):
    """Return what the procedure was built from: "Based on 1 recording: …".

    With other runs it says the steps are the reference recording's, and how
    many steps only the others took (``others``).
    """
    actions = sum(count for _name, _kind, count in systems)
    parts = [f"{_counted('action', actions)} in {_counted('system', len(systems))}"]
    notes = Counter(is_added(step) for step in steps if step.kind == "note")
    if notes[False]:
        parts.append(_counted("note", notes[False]))
    waits = [step.duration_ms for step in steps if step.kind == "wait"]
    if waits:
        waited = waited_text(sum(waits), sum(step.duration_ms for step in steps))
        parts.append(f"{_counted('wait', len(waits))} ({waited})")
    sentence = f"Based on {_counted('recording', 1)}: {_join(parts)}."
    if runs > 1:
        sentence = (
            f"Based on {_counted('recording', runs)}. The steps are the reference "
            f"recording's: {_join(parts)}."
        )
        if others:
            other = ngettext("The other recording", "The other recordings", runs - 1)
            sentence += f" {other} took {_counted('step', others)} not in it."
    if notes[True]:
        sentence += f" The editors added {_counted('note', notes[True])}."
    return sentence


def waited_text(waited_ms, total_ms):
    """Return "1 h 32 min of the 1 h 41 min in the recording".

    The waits' time is part of the time the SOP's header gives (every
    step's, waits included), and says so: the two never read as two totals
    of one recording.
    """
    whole = format_duration(total_ms)
    return f"{format_duration(waited_ms)} of the {whole} in the recording"


def _counted(word, count):
    singular, plural = COUNTED_WORDS[word]
    return ngettext(singular, plural, count) % {"count": count}


def _when_to_use(kind, title, decisions):
    sentence = (
        f"Use it for {_a(kind)} like “{title}”."
        if title
        else (f"Use it for {_a(kind)} like the recorded one.")
    )
    chosen = [
        f"{step.decision.field} {step.decision.value}"
        for step in decisions
        if step.decision.topic in ("severity", "category", "team")
    ]
    if chosen:
        return f"{sentence} In the recording it was given {_join(chosen)}."
    return f"{sentence} The recording does not show how the {kind} was classified."


def _roles(kind, agent, decisions):
    """Return the roles: the agent, then each team and owner field.

    A person or a team chosen is one run's value, so it is the role's
    example; the role is the field ("Assigned to").
    """
    agent_role = "Works through the steps"
    agent_role += f" (in the recording: {agent})." if agent else "."
    roles = {"Service-desk agent": agent_role}
    for field_name, topic, values in _fields(decisions):
        if topic in ROLE_TEXTS:
            role = ROLE_TEXTS[topic] % {"kind": kind}
            roles.setdefault(field_name, f"{role} (in the recording: {values}).")
    return tuple(roles.items())


def _fields(decisions):
    """Return ``(field, topic, values)`` per decision field, in recorded order.

    ``values`` are the values chosen for that field in turn: "Service Desk,
    then Network" when the work was handed on.
    """
    chosen = {}
    for step in decisions:
        decision = step.decision
        _topic, values = chosen.setdefault(decision.field, (decision.topic, []))
        if decision.value not in values:
            values.append(decision.value)
    return [
        (name, topic, ", then ".join(values))
        for name, (topic, values) in chosen.items()
    ]


def _decision_rules(decisions, seen):
    """Return the decision rules: what to look at first, then one per decision.

    Decisions made after the same lookups share one sentence naming them
    ("Before you decide Impact and Priority, look at Core network in
    Grafana."), placed before the first of them. Each decision then has one
    rule, the values recorded as its example ("Choose the queue: in the
    recording, Service Desk, then Network."); a priority set after impact and
    urgency says it follows from them.
    """
    groups = {}
    for step in decisions:
        groups.setdefault(_lookups(step), []).append(step.decision.field)
    rules, values, earlier = {}, {}, {}
    for step in decisions:
        looked_at = _lookups(step)
        if looked_at:
            rules.setdefault(looked_at, _lookup_rule(looked_at, groups[looked_at]))
        derived = _derived_rule(step, earlier)
        if derived and seen.runs:
            derived += f" Across the runs: {_seen_values(step, seen)}."
        instruction = step.text.rstrip(".")
        rules.setdefault(derived or instruction, derived)
        if not derived:
            values.setdefault(instruction, []).append(_seen_values(step, seen))
        earlier[step.decision.field.lower()] = step.decision.value
    where = "in the recordings" if seen.runs else "in the recording"
    return tuple(
        rule or f"{key}: {where}, {', then '.join(dict.fromkeys(values[key]))}."
        for key, rule in rules.items()
    )


def _seen_values(step, seen):
    """Return the values chosen at ``step``: "2 - High (2 of 3 runs), 3 - …".

    One run's value reads as it was chosen, with how it changed.
    """
    if not seen.runs:
        return _value(step.decision)
    return ", ".join(
        f"{value} ({count} of {_counted('run', seen.total)})"
        for value, count in seen.values(step)
    )


def _lookups(step):
    return tuple(dict.fromkeys(map(_looked_at, step.decision.looked_at)))


def _lookup_rule(looked_at, fields):
    fields = list(dict.fromkeys(fields))
    return f"Before you decide {_join(fields)}, look at {_join(looked_at)}."


def _value(decision):
    if decision.previous:
        return f"{decision.value} (first {_join(decision.previous)}, then changed)"
    return decision.value


def _derived_rule(step, earlier):
    """Return the rule for a priority set after impact and urgency, else "".

    "Set Priority from Impact and Urgency: in the recording, 2 - Significant
    and 1 - High gave 2 - High." The instruction is the step's own text, so
    an editor's rewording is the rule's too. ``earlier`` holds the values
    chosen before it, by field.
    """
    inputs = [name for name in PRIORITY_INPUTS if name in earlier]
    if step.decision.field.lower() not in PRIORITY_FIELDS or not inputs:
        return ""
    sources = _join(name.capitalize() for name in inputs)
    given = _join(earlier[name] for name in inputs)
    instruction = step.text.rstrip(".")
    return (
        f"{instruction} from {sources}: in the recording, {given} gave "
        f"{_value(step.decision)}."
    )


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
