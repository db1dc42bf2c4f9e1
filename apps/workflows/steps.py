"""Collapse recorded events into the steps a person would write down.

Pure: no Django, no clock. The same events always give the same steps.
``docs/sop-rules.md`` describes every rule below for people.
"""

import re
from dataclasses import dataclass, field, replace

from apps.recordings.format import EventType, FieldKind
from apps.reports.duration import format_duration

from .phases import TRIAGE_TOPICS
from .systems import Classifier, System, unrecognised_host

# A navigation this soon after another in the same tab, with nothing done in
# between, is a redirect: only where it lands is a step.
REDIRECT_MS = 3_000
# A navigation this soon after a click in the same tab is what the click did.
CONSEQUENCE_MS = 5_000
# Silence longer than this becomes an explicit wait: an unnumbered note
# between the SOP's steps, not a step of its own.
WAIT_THRESHOLD_MS = 120_000
MAX_TEXT = 90
# What sites put between a page's title and their own name.
TITLE_SEPARATOR = re.compile(r" (?:::|[|–—-]) ")
SIGN_IN_TITLES = {"sign in", "sign-in", "log in", "login", "sign on", "log on"}
GENERIC_SUBMIT = {"submit", "save", "ok", "send", "go", "update", "confirm"}

RECORD_PREFIXES = "INC|RITM|REQ|CHG|PRB|TASK|SCTASK|SR|IM|KB"
TICKET = re.compile(
    rf"\b((?:{RECORD_PREFIXES})\d{{4,}}|[A-Z][A-Z0-9]{{1,9}}-\d{{1,7}}|#\d{{3,}})\b"
)
# A number whose prefix says what record it is: replaced wherever it stands.
# A key such as "LT-0417" or "SD-42" could also be a model or a standard
# ("SHA-256"), so it is replaced only where it is the whole title or name.
RECORD_NUMBER = re.compile(rf"\b(?:{RECORD_PREFIXES})\d{{4,}}\b")
TICKET_KINDS = {
    "INC": "incident",
    "IM": "incident",
    "RITM": "request",
    "REQ": "request",
    "SR": "request",
    "CHG": "change",
    "PRB": "problem",
    "TASK": "task",
    "SCTASK": "task",
    "KB": "knowledge article",
}
NEW_RECORD = re.compile(r"(?:^|[/_.=?-])(?:new|create)(?:$|[/_.&?=-])", re.IGNORECASE)
SENSITIVE = re.compile(
    r"pass(?:word|code|phrase)?\b|secret|token|\botp\b|one[- ]time|\bpin\b|\bmfa\b|"
    r"\b2fa\b|\bssn\b|social security|card number|\bcvv\b|\bcvc\b|api[ _-]?key",
    re.IGNORECASE,
)
SEARCH_FIELD = re.compile(
    r"search|query|filter|\bfind\b|\bkql\b|\bspl\b|promql|expression|lucene",
    re.IGNORECASE,
)
SEARCH_BUTTON = re.compile(
    r"^(?:search|run|run query|execute|go|apply|refresh|find)$", re.IGNORECASE
)
TOPICS = (
    ("owner", re.compile(r"assigned to|assignee|\bowner\b|responder", re.IGNORECASE)),
    ("team", re.compile(r"group|team|queue|escalat", re.IGNORECASE)),
    (
        "severity",
        re.compile(r"priority|severity|impact|urgency|\bsev\b", re.IGNORECASE),
    ),
    (
        "state",
        re.compile(
            r"state|status|resolution code|close code|resolution", re.IGNORECASE
        ),
    ),
    (
        "category",
        re.compile(
            r"categor|\btype\b|service|configuration item|\bci\b|classification",
            re.IGNORECASE,
        ),
    ),
)
# What XML 1.0 cannot hold (surrogates, U+FFFE, U+FFFF) and control
# characters but tab and newline: no artefact may carry them, or the BPMN and
# the map's SVG stop parsing.
NOT_XML = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A page titled only by a host's name ("core-sw-01", "mx-out-02.corp"): which
# host is one run's, so the step says "the host" and shows the name as the
# recording's example.
HOST_NAME = re.compile(r"^(?=[a-z0-9.-]*\d)(?=[a-z0-9.-]*[-.])[a-z0-9][a-z0-9.-]*$")
# A chat page titled by its channel: "netops (Channel)", "netops (Channel) ·
# Acme" once the site's words are cut.
CHANNEL_TITLE = re.compile(r"^#?([\w.-]+) \(channel\)(?: · .*)?$", re.IGNORECASE)
# What ``wait_text`` writes, now and before ("Wait for Network: 2 h in the
# recording"); a duration never holds ": " or "(".
WAIT_FOR_TEXT = re.compile(
    r"^(Wait for .+?)(?: to reply \(took [^()]+ in the recording\)"
    r"|: [^:]+ in the recording)$"
)
WAIT_IDLE_LABEL = "Wait with no activity recorded"
SEARCH_NOUNS = {
    "Kibana": "logs",
    "Splunk": "logs",
    "Prometheus": "metrics",
    "Grafana": "metrics",
    "Datadog": "metrics",
    "New Relic": "metrics",
    "PagerDuty": "alerts",
    "Opsgenie": "alerts",
}


@dataclass(frozen=True, slots=True)
class Decision:
    field: str
    value: str
    topic: str = "other"
    # Labels of the lookups the agent made just before choosing.
    looked_at: tuple[str, ...] = ()
    # Values chosen first and then changed, in order.
    previous: tuple[str, ...] = ()


@dataclass(slots=True)
class Step:
    ref: str
    key: str
    kind: str  # action, decision, lookup, wait, note
    verb: str
    text: str
    system: str
    system_kind: str
    start_ms: int
    end_ms: int
    evidence: tuple[int, ...]
    phase: str = ""
    phase_source: str = "rule"  # rule, mark or editor
    mark: str = ""
    decision: Decision | None = None
    withheld: bool = False
    note: str = ""
    ticket: str = ""
    edited: bool = False

    @property
    def duration_ms(self):
        return max(0, self.end_ms - self.start_ms)


@dataclass(slots=True)
class _Draft:
    """A step being built, with what later events need to merge into it."""

    source: str  # the event type that made it, or "wait"
    tab: int
    ts: int
    last_ts: int
    system: System
    kind: str
    verb: str
    text: str
    target: tuple = ()
    evidence: list[int] = field(default_factory=list)
    mark: str = ""
    decision: Decision | None = None
    withheld: bool = False
    note: str = ""
    ticket: str = ""
    key_object: str = ""
    soft: bool = False
    end_hint: int | None = None


def build_steps(
    events,
    *,
    classifier=None,
    skipped_fields=(),
    wait_threshold_ms=WAIT_THRESHOLD_MS,
):
    """Return the list of ``Step`` for events ordered by ``seq``."""
    events = list(events)
    builder = _Builder(
        classifier or Classifier(),
        {name.lower() for name in skipped_fields},
        wait_threshold_ms,
    )
    builder.site_names = site_names(events)
    for event in events:
        builder.add(event)
    return _finish(builder.drafts)


class _Builder:
    def __init__(self, classifier, skipped, wait_threshold_ms):
        self.classifier = classifier
        self.skipped = skipped
        self.wait_threshold_ms = wait_threshold_ms
        self.drafts = []
        self.pages = {}  # tab -> (origin, path, title, system hint, hint kind)
        self.pending = []
        self.mark = ""
        self.last_ts = None
        self.paused = False
        self.site_names = {}

    @property
    def last(self):
        return self.drafts[-1] if self.drafts else None

    def add(self, event):
        self._maybe_wait(event)
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        self.last_ts = event.ts

    def _maybe_wait(self, event):
        if self.paused or self.last_ts is None or self.last is None:
            return
        gap = event.ts - self.last_ts
        if gap <= self.wait_threshold_ms:
            return
        self.drafts.append(
            _Draft(
                source="wait",
                tab=-1,
                ts=self.last_ts,
                last_ts=event.ts,
                system=self.last.system,
                kind="wait",
                verb="wait",
                # Worded in ``_finish``, once the wait's end is known.
                text="",
                mark=self.mark,
                key_object="idle",
            )
        )

    def page(self, event):
        """Return the page ``event`` happened on, learning it when given."""
        if event.origin:
            known = self.pages.get(event.tab)
            title = event.title or (known[2] if known else "")
            self.pages[event.tab] = (
                event.origin,
                event.path,
                title,
                event.system,
                event.system_kind,
            )
        return self.pages.get(event.tab, ("", "", "", event.system, event.system_kind))

    def system(self, event):
        origin, path, _title, hint, hint_kind = self.page(event)
        kind = hint_kind.value if hint_kind is not None else None
        return self.classifier.classify(origin, path, hint, kind)

    def new(self, event, **values):
        draft = _Draft(
            source=event.type.value,
            tab=event.tab,
            ts=event.ts,
            last_ts=event.ts,
            evidence=[*self.pending, event.seq],
            mark=self.mark,
            **values,
        )
        self.pending = []
        if self.last is not None and self.last.soft:
            # A tab switch followed by something else was only a focus change
            # if the next thing is a navigation; otherwise it stays a step.
            if draft.source == "navigation" and draft.tab == self.last.tab:
                draft.evidence[:0] = self.last.evidence
                draft.ts = self.last.ts
                self.drafts.pop()
            else:
                self.last.soft = False
        self.drafts.append(draft)
        return draft

    def extend(self, draft, event):
        draft.evidence.extend(self.pending)
        draft.evidence.append(event.seq)
        draft.last_ts = event.ts
        self.pending = []


def _same_tab_recent(draft, event, window):
    return (
        draft is not None
        and draft.tab == event.tab
        and event.ts - draft.last_ts <= window
    )


def _on_navigation(builder, event):
    previous_page = builder.pages.get(event.tab)
    system = builder.system(event)
    last = builder.last
    values = _navigation_values(event, system, builder.site_names.get(event.origin, ()))

    if last is not None and last.source == "navigation" and last.tab == event.tab:
        redirect = event.ts - last.last_ts <= REDIRECT_MS or event.nav == "replace"
        same_page = previous_page is not None and previous_page[:2] == (
            event.origin,
            event.path,
        )
        if redirect or same_page:
            builder.extend(last, event)
            if redirect:
                _apply(last, values, system)
            return
    if _same_tab_recent(last, event, CONSEQUENCE_MS):
        opens_record = system.kind == "itsm" and (
            values["verb"] == "create" or values.get("ticket")
        )
        if last.source == "click" and (last.verb == "follow" or opens_record):
            builder.extend(last, event)
            _apply(last, values, system)
            last.source = "navigation"
            return
        if last.source in ("click", "form_submitted") or last.verb == "search":
            if last.system == system:
                builder.extend(last, event)
                return
    builder.new(event, system=system, **values)


def _apply(draft, values, system):
    draft.system = system
    for name, value in values.items():
        setattr(draft, name, value)


def _navigation_values(event, system, site_names=()):
    title = _clean_title(_drop_site_name(event.title, site_names), system.name)
    ticket = _ticket(f"{event.title} {event.path}")
    looks = "lookup" if system.kind in ("monitoring", "admin") else "action"
    if system.kind == "itsm" and ticket:
        record = record_word(ticket, path=event.path, default="ticket")
        text = f"Open the {record} in {_named(system)}"
        return {
            "kind": "action",
            "verb": "open",
            "text": text,
            "ticket": ticket,
            "key_object": record,
        }
    if system.kind == "itsm" and NEW_RECORD.search(event.path):
        return {
            "kind": "action",
            "verb": "create",
            "text": f"Create a new record in {_named(system)}",
            "key_object": "record",
        }
    shown, example = page_said(title, path=event.path, system_kind=system.kind)
    if title.lower() in SIGN_IN_TITLES:
        text = f"Open the sign-in page of {_named(system)}"
    else:
        text = (
            f"Open {shown} in {_named(system)}" if title else f"Open {_named(system)}"
        )
    return {
        "kind": looks,
        "verb": "open",
        "text": _cut(text),
        "ticket": example,
        "key_object": title or "home",
    }


def site_names(events):
    """Return, per origin, the title endings that name the site, longest first.

    An ending after a separator (" :: ", " | ", " - ", " — ", " – ") that at
    least two different titles of one origin share names the site, not the
    page: "Create Ticket :: Powered by django-helpdesk" and "Dashboard ::
    Powered by django-helpdesk" are "Create Ticket" and "Dashboard".
    """
    titles = {}
    for event in events:
        if event.origin and event.title:
            titles.setdefault(event.origin, set()).add(" ".join(event.title.split()))
    names = {}
    for origin, seen in sorted(titles.items()):
        counts = {}
        for title in seen:
            for match in TITLE_SEPARATOR.finditer(title):
                if match.start() > 0:
                    ending = title[match.start() :]
                    counts[ending] = counts.get(ending, 0) + 1
        shared = [ending for ending, count in counts.items() if count >= 2]
        if shared:
            names[origin] = tuple(sorted(shared, key=lambda e: (-len(e), e)))
    return names


def _drop_site_name(title, endings):
    title = " ".join(title.split())
    for ending in endings:
        if title.endswith(ending) and len(title) > len(ending):
            return title[: -len(ending)]
    return title


def _named(system):
    """Return how a step's text names ``system``: one no rule knows by its host.

    "Open Create Ticket in 127.0.0.1:8080", not "in Unrecognised system
    (127.0.0.1:8080)": the step's system says it is unrecognised already.
    """
    return unrecognised_host(system.name) or system.name


def _clean_title(title, system_name):
    parts = [part.strip() for part in re.split(r"\s+[|–—-]\s+", title)]
    kept = [
        part
        for part in parts
        if part
        and part.lower() not in ("dashboards", "home")
        and not system_name.lower().startswith(part.lower())
    ]
    title = " · ".join(kept)
    if title.lower().startswith(system_name.lower()):
        # "Prometheus Time Series ..." in Prometheus says nothing more.
        return ""
    return _cut(title, 60)


def _ticket(text):
    match = TICKET.search(text)
    return match[1] if match else ""


def record_word(number, *, path="", default="record"):
    """Return what the record ``number`` is: "incident", "request", "device".

    A prefix names the kind ("INC0012345"); a key ("LT-0417") takes the
    plural path segment it sits under ("/devices/LT-0417" is a device), or
    ``default``.
    """
    prefix = re.match(r"[A-Z]*", number)[0]
    if prefix in TICKET_KINDS and number[len(prefix) :].isdigit():
        return TICKET_KINDS[prefix]
    return _path_noun(path, number) or default


def _path_noun(path, number):
    segments = [part for part in path.split("?")[0].split("/") if part]
    if number in segments:
        segments = segments[: segments.index(number)]
    noun = segments[-1].lower() if segments else ""
    if not (noun.isalpha() and 4 <= len(noun) <= 20 and noun.endswith("s")):
        return ""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return "" if noun.endswith("ss") else noun[:-1]


def page_said(title, *, path="", system_kind=""):
    """Return ``(text, example)``: a page's title as a step says it.

    Record numbers read generically (``generic_text``); a chat channel reads
    "the netops channel"; a page titled only by a host's name in an admin
    system reads as what its path says it is ("/devices/core-sw-01", "the
    device"), or "the host", with the name kept as the recording's example.
    """
    shown, example = generic_text(title, path=path)
    if example:
        return shown, example
    channel = CHANNEL_TITLE.match(title)
    if system_kind == "communication" and channel:
        return f"the {channel[1]} channel", ""
    if system_kind == "communication" and _path_noun(path, title) == "channel":
        return f"the {title} channel", ""
    if system_kind == "admin" and HOST_NAME.match(title):
        return f"the {_path_noun(path, title) or 'host'}", title
    return shown, ""


def generic_text(text, *, path="", default="record"):
    """Return ``(text, number)``: ``text`` with record numbers said generically.

    A record number is one ticket's, not the procedure's: "INC0048213" reads
    "the incident", a title or name that is only a key ("LT-0417") "the
    device". ``number`` is the first one replaced, kept as the recording's
    example, or "".
    """
    whole = " ".join(text.split())
    if whole and _ticket(whole) == whole:
        return f"the {record_word(whole, path=path, default=default)}", whole
    found = RECORD_NUMBER.search(text)
    if found is None:
        return text, ""
    return _records_said(text), found[0]


def _records_said(text):
    """Return ``text`` with each prefixed record number said as its record."""
    return RECORD_NUMBER.sub(lambda match: f"the {record_word(match[0])}", text)


def xml_safe(text):
    """Return ``text`` without the characters ``NOT_XML`` names."""
    return NOT_XML.sub("", text)


def _cut(text, limit=MAX_TEXT):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _target(event):
    return (event.tab, event.role, event.name, event.label, event.path)


def _on_click(builder, event):
    system = builder.system(event)
    last = builder.last
    target = _target(event)
    if (
        last is not None
        and last.source == "click"
        and last.target == target
        and event.tab == last.tab
    ):
        builder.extend(last, event)
        return
    name = _cut(event.name or event.label, 60)
    if last is not None and last.verb == "search" and SEARCH_BUTTON.match(name):
        if _same_tab_recent(last, event, CONSEQUENCE_MS):
            builder.extend(last, event)
            return
    shown, example = generic_text(name, path=event.path)
    verb, text = _click_text(event.role, shown, whole=example == name)
    kind = "lookup" if system.kind == "monitoring" else "action"
    builder.new(
        event,
        system=system,
        kind=kind,
        verb=verb,
        text=_cut(f"{text} in {_named(system)}" if kind == "lookup" else text),
        target=target,
        ticket=example,
        key_object=name or event.role or "element",
    )


def _click_text(role, name, *, whole=False):
    role = (role or "").lower()
    if not name:
        return "click", f"Click an unlabelled {role or 'element'}"
    if whole:
        # A link or button named by a record number opens that record.
        return ("follow" if role == "link" else "click"), f"Open {name}"
    if role == "link":
        return "follow", f"Open {name}"
    if role == "tab":
        return "click", f"Open the {name} tab"
    if role in ("menuitem", "option"):
        return "click", f"Choose {name}"
    return "click", f"Click {name}"


def _field_name(event):
    return _cut(event.label or event.name or "an unlabelled field", 60)


def _is_sensitive(builder, event):
    names = {event.name.lower(), event.label.lower()} - {""}
    if names & builder.skipped:
        return True
    return bool(SENSITIVE.search(f"{event.name} {event.label}"))


def _on_field_edited(builder, event):
    system = builder.system(event)
    last = builder.last
    target = _target(event)
    if (
        last is not None
        and last.source == "field_edited"
        and last.target == target
        and event.tab == last.tab
    ):
        builder.extend(last, event)
        return
    if event.field_kind == FieldKind.CHECKBOX and event.checked is not None:
        _on_choice(builder, event)
        return

    label = _field_name(event)
    sensitive = _is_sensitive(builder, event)
    if not sensitive and (
        event.role == "searchbox" or SEARCH_FIELD.search(f"{event.name} {event.label}")
    ):
        noun = SEARCH_NOUNS.get(system.name, "")
        text = (
            f"Search {noun} in {_named(system)}"
            if noun
            else f"Search in {_named(system)}"
        )
        kind = "action" if system.kind == "itsm" else "lookup"
        builder.new(
            event,
            system=system,
            kind=kind,
            verb="search",
            text=text,
            target=target,
            key_object=label,
        )
        return
    shown = _records_said(label)
    text = f"Enter {shown} (value withheld)" if sensitive else f"Enter {shown}"
    builder.new(
        event,
        system=system,
        kind="action",
        verb="enter",
        text=text,
        target=target,
        withheld=sensitive,
        key_object=label,
    )


def _topic(field_label):
    for topic, pattern in TOPICS:
        if pattern.search(field_label):
            return topic
    return "other"


def _decision_text(decision):
    """Return the instruction a choice gives: the choice to make.

    The value chosen is one run's ("2 - Significant", "Lena Fischer"): the
    SOP shows it beside the step as the recording's example. A tickbox and
    a change of state are the same in every run, so they keep their value.
    """
    field = _records_said(decision.field)
    if decision.value in ("ticked", "cleared"):
        verb = "Tick" if decision.value == "ticked" else "Clear"
        return f"{verb} {field}"
    if decision.topic == "state":
        return f"Set the {_noun(field)} to {decision_value(decision.value)}"
    if decision.topic == "owner":
        return "Assign the owner"
    if decision.topic in ("team", "category"):
        return f"Choose the {_noun(field)}"
    if decision.topic == "severity":
        return f"Set {field}"
    return f"Set the {_noun(field)}"


def choice_text(decision):
    """Return the step text the builder gives a choice."""
    return _cut(_decision_text(decision))


def shows_value(decision):
    """Return whether a choice's step says the value chosen (a tickbox, a state)."""
    return decision.value in ("ticked", "cleared") or decision.topic == "state"


def choice_kind(decision):
    """Return a choice's step kind: a decision only for triage and routing.

    Severity, category, team and owner are the decisions the procedure is
    about; a tickbox, a state or any other field is a step like another.
    """
    if decision.topic in TRIAGE_TOPICS and not shows_value(decision):
        return "decision"
    return "action"


def _noun(label):
    """Return a field's label inside a sentence: "Assignment group", "the
    assignment group"; a label in capitals ("CI") stays as it is."""
    if label[:1].isupper() and not label[1:2].isupper():
        return label[:1].lower() + label[1:]
    return label


def decision_value(value):
    """Return a chosen value as an instruction says it: a record generically."""
    return generic_text(value)[0]


def _on_choice(builder, event):
    system = builder.system(event)
    label = _field_name(event)
    if event.checked is not None and event.field_kind == FieldKind.CHECKBOX:
        value = "ticked" if event.checked else "cleared"
    else:
        value = _cut(event.value, 80) or "(no value shown)"
    last = builder.last
    target = (event.tab, label, event.path)
    if (
        last is not None
        and last.source == "choice_made"
        and last.target == target
        and last.decision is not None
    ):
        previous = (*last.decision.previous, last.decision.value)
        last.decision = replace(last.decision, value=value, previous=previous)
        last.text = choice_text(last.decision)
        last.ticket = generic_text(value)[1]
        builder.extend(last, event)
        return
    decision = Decision(field=label, value=value, topic=_topic(label))
    draft = builder.new(
        event,
        system=system,
        kind=choice_kind(decision),
        verb="set",
        text=choice_text(decision),
        target=target,
        decision=decision,
        ticket=generic_text(value)[1],
        key_object=label,
    )
    draft.source = "choice_made"


def _on_submit(builder, event):
    system = builder.system(event)
    last = builder.last
    name = _cut(event.name or event.label, 60)
    if _same_tab_recent(last, event, CONSEQUENCE_MS) and last.system == system:
        if last.verb == "search":
            builder.extend(last, event)
            return
        if last.source == "click" and last.verb == "click":
            name = name or last.key_object
            builder.drafts.pop()
            builder.pending[:0] = last.evidence
            event_ts = last.ts
        else:
            event_ts = None
    else:
        event_ts = None
    ticket = _ticket(f"{builder.page(event)[2]} {event.path}")
    text = _submit_text(system, ticket, name, event.path)
    draft = builder.new(
        event,
        system=system,
        kind="action",
        verb="submit",
        text=_cut(text),
        ticket=ticket,
        key_object=name or "form",
    )
    if event_ts is not None:
        draft.ts = event_ts


def _submit_text(system, ticket, name, path):
    generic = name.lower() in GENERIC_SUBMIT
    if system.kind == "itsm" and ticket:
        record = record_word(ticket, path=path, default="ticket")
        return f"Save the {record} ({name})" if name else f"Save the {record}"
    if system.kind == "itsm" and NEW_RECORD.search(path):
        return f"Submit the new record in {_named(system)}"
    if name and not generic:
        return f"Submit the form with {name}"
    return "Submit the form"


def _on_tab_switched(builder, event):
    system = builder.system(event)
    origin, path, title = builder.page(event)[:3]
    ticket = _ticket(f"{title} {path}") if system.kind == "itsm" else ""
    title = _drop_site_name(title, builder.site_names.get(origin, ()))
    title = _clean_title(title, system.name)
    last = builder.last
    if last is not None and last.soft:
        builder.drafts.pop()
        builder.pending[:0] = last.evidence
    if ticket:
        # An ITSM tab that names a ticket shows that ticket, whatever else
        # its title says ("INC0012345 | VPN down"): the title is one run's.
        shown = f"the {record_word(ticket, path=path, default='ticket')}"
    else:
        shown, ticket = page_said(title, path=path, system_kind=system.kind)
    text = (
        f"Switch to {shown} in {_named(system)}"
        if title or ticket
        else f"Switch to {_named(system)}"
    )
    draft = builder.new(
        event,
        system=system,
        kind="lookup" if system.kind in ("monitoring", "admin") else "action",
        verb="switch",
        text=_cut(text),
        ticket=ticket,
        key_object=title or "tab",
    )
    draft.soft = True


def _on_note(builder, event):
    note = event.note.strip()
    if not note:
        return
    system = builder.system(event)
    builder.new(
        event,
        system=system,
        kind="note",
        verb="note",
        text=_cut(f"Note: {note}"),
        note=note,
        key_object="note",
    )


def _on_phase(builder, event):
    if event.phase is not None:
        builder.mark = event.phase.value


def _on_context(builder, event):
    builder.page(event)
    builder.pending.append(event.seq)


def _on_pause(builder, event):
    builder.paused = True
    if builder.last is not None:
        builder.last.end_hint = event.ts


def _on_resume(builder, event):
    builder.paused = False


_HANDLERS = {
    EventType.NAVIGATION: _on_navigation,
    EventType.CLICK: _on_click,
    EventType.FIELD_EDITED: _on_field_edited,
    EventType.CHOICE_MADE: _on_choice,
    EventType.FORM_SUBMITTED: _on_submit,
    EventType.TAB_OPENED: _on_context,
    EventType.TAB_SWITCHED: _on_tab_switched,
    EventType.PHASE_MARKED: _on_phase,
    EventType.NOTE_ADDED: _on_note,
    EventType.RECORDING_PAUSED: _on_pause,
    EventType.RECORDING_RESUMED: _on_resume,
}


def _slug(text):
    # Ticket numbers differ from run to run; the step they name does not.
    text = TICKET.sub("ticket", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


def step_to_dict(step):
    """Return ``step`` as plain JSON-ready data."""
    data = {name: getattr(step, name) for name in Step.__slots__}
    data["evidence"] = list(step.evidence)
    if step.decision is not None:
        decision = step.decision
        data["decision"] = {
            "field": decision.field,
            "value": decision.value,
            "topic": decision.topic,
            "looked_at": list(decision.looked_at),
            "previous": list(decision.previous),
        }
    return data


def step_from_dict(data):
    values = {name: data[name] for name in Step.__slots__ if name in data}
    values["evidence"] = tuple(values.get("evidence", ()))
    decision = data.get("decision")
    if decision:
        values["decision"] = Decision(
            field=decision["field"],
            value=decision["value"],
            topic=decision.get("topic", "other"),
            looked_at=tuple(decision.get("looked_at", ())),
            previous=tuple(decision.get("previous", ())),
        )
    return Step(**values)


def wait_text(duration_ms, team=""):
    """Return a wait's text: what to wait for when known, and how long it took.

    The time is the recorded run's and only an example: another run waits as
    long as it has to. So it is rounded (``rough_duration``) and the text
    says where it is from: "Wait for Network to reply (took 41 min in the
    recording)".
    """
    took = rough_duration(duration_ms)
    if team:
        return f"Wait for {team} to reply (took {took} in the recording)"
    return f"Wait: no activity was recorded here (took {took} in the recording)"


def rough_duration(ms):
    """Return ``ms`` rounded to what a wait's example needs: 41 min, 1 h 30 min.

    Whole minutes under an hour, ten minutes under a day, whole hours
    after; under a minute as every duration is worded.
    """
    minutes = max(0, ms) / 60_000
    if minutes < 1:
        return format_duration(ms)
    if minutes < 60:
        return format_duration(round(minutes) * 60_000)
    if minutes < 24 * 60:
        return format_duration(round(minutes / 10) * 600_000)
    return format_duration(round(minutes / 60) * 3_600_000)


def wait_label(text):
    """Return a recorded wait's text without its time: "Wait for Network".

    What a view over many steps calls a wait whose time it shows apart.
    ``text`` is as ``wait_text`` writes it, now or in a version stored
    before: any wait not for a team is a wait with no activity recorded.
    """
    team = WAIT_FOR_TEXT.match(text)
    if team:
        return team[1]
    return WAIT_IDLE_LABEL


def _handed_to(drafts, index):
    """Return the team the wait at ``index`` waited for, or "".

    A wait right after saving a form that assigned a team (notes aside) is
    that team's time: the ticket was handed on and the agent waited.
    """
    saved = False
    for position in range(index - 1, -1, -1):
        draft = drafts[position]
        if draft.kind == "note":
            continue
        if not saved:
            if draft.verb != "submit":
                return ""
            saved = True
            continue
        if draft.verb == "submit" or draft.source == "wait":
            return ""
        if draft.decision is not None and draft.decision.topic == "team":
            return draft.decision.value
    return ""


def _finish(drafts):
    steps = []
    seen = {}
    lookups = []
    for index, draft in enumerate(drafts):
        key = f"{draft.system.kind}:{draft.verb}:{_slug(draft.key_object)}"
        seen[key] = seen.get(key, 0) + 1
        following = drafts[index + 1].ts if index + 1 < len(drafts) else draft.last_ts
        end = draft.end_hint if draft.end_hint is not None else following
        if draft.source == "wait":
            draft.text = wait_text(
                max(draft.ts, end) - draft.ts, _handed_to(drafts, index)
            )
        decision = draft.decision
        if decision is not None:
            decision = replace(
                decision,
                field=xml_safe(decision.field),
                value=xml_safe(decision.value),
                looked_at=tuple(lookups[-3:]),
                previous=tuple(xml_safe(value) for value in decision.previous),
            )
        elif draft.kind == "lookup":
            lookups.append(xml_safe(draft.text))
        elif draft.verb == "submit":
            # Saving a form ends a round of choices and what informed them.
            lookups = []
        steps.append(
            Step(
                ref=f"{key}#{seen[key]}",
                key=key,
                kind=draft.kind,
                verb=draft.verb,
                text=xml_safe(draft.text),
                system=xml_safe(draft.system.name),
                system_kind=draft.system.kind,
                start_ms=draft.ts,
                end_ms=max(draft.ts, end),
                evidence=tuple(sorted(set(draft.evidence))),
                mark=draft.mark,
                decision=decision,
                withheld=draft.withheld,
                note=xml_safe(draft.note),
                ticket=draft.ticket,
            )
        )
    return steps
