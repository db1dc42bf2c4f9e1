"""The recording format, version 1: what the extension sends and we store.

This module is the contract. ``docs/recording-format.md`` explains it for
people and ``schema/recording.schema.json`` is generated from it for machines
(``manage.py recording_schema``). It is pure: no Django, no clock.
"""

import enum
import re
from typing import Annotated

import msgspec

FORMAT_VERSION = 1

# Longest text kept per field; longer text is cut and the field named in the
# event's ``truncated`` list.
MAX_LENGTHS = {
    "title": 300,
    "origin": 255,
    "path": 2048,
    "name": 200,
    "role": 40,
    "label": 200,
    "value": 500,
    "note": 2000,
    "system": 80,
}
# Longest text kept of the recording's own title and agent; longer text is
# shortened at a word (``shorten``) and the field named in the stored
# recording's ``truncated`` list.
RECORDING_MAX_LENGTHS = {"title": 300, "agent": 200}
MAX_BATCH_EVENTS = 1000
# Seqs one finish may drop: a review removes a few steps, not a recording.
MAX_DROPPED = 10_000
MAX_BATCH_BYTES = 1024 * 1024
# A whole document, as imported or sent on creation with its events.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
MAX_DOCUMENT_EVENTS = 200_000

Seq = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
Millis = Annotated[int, msgspec.Meta(ge=0, le=32_503_680_000_000)]
SmallInt = Annotated[int, msgspec.Meta(ge=-1, le=2**31 - 1)]


class EventType(enum.StrEnum):
    NAVIGATION = "navigation"
    CLICK = "click"
    FIELD_EDITED = "field_edited"
    CHOICE_MADE = "choice_made"
    FORM_SUBMITTED = "form_submitted"
    TAB_OPENED = "tab_opened"
    TAB_SWITCHED = "tab_switched"
    PHASE_MARKED = "phase_marked"
    NOTE_ADDED = "note_added"
    RECORDING_PAUSED = "recording_paused"
    RECORDING_RESUMED = "recording_resumed"


class Phase(enum.StrEnum):
    LOG = "log"
    TRIAGE = "triage"
    INVESTIGATE = "investigate"
    RESOLVE = "resolve"
    CLOSE = "close"


class SystemKind(enum.StrEnum):
    ITSM = "itsm"
    MONITORING = "monitoring"
    ADMIN = "admin"
    COMMUNICATION = "communication"
    OTHER = "other"


class NavigationKind(enum.StrEnum):
    LOAD = "load"
    PUSH = "push"
    REPLACE = "replace"
    POP = "pop"
    HASH = "hash"


class FieldKind(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    SELECT = "select"
    RADIO = "radio"
    CHECKBOX = "checkbox"
    COMBOBOX = "combobox"
    LISTBOX = "listbox"
    OTHER = "other"


class Event(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """One thing the agent did, in the order given by ``seq``.

    ``value`` is never typed text: it is the chosen option's label for
    ``choice_made`` on a select, radio, combobox or listbox, and empty
    otherwise; a value anywhere else is refused. ``note`` holds the agent's
    own note for ``note_added``; ``phase`` the phase for ``phase_marked``.
    """

    seq: Seq
    ts: Millis
    type: EventType
    tab: SmallInt = 0
    frame: SmallInt = 0
    origin: str = ""
    path: str = ""
    title: str = ""
    name: str = ""
    role: str = ""
    label: str = ""
    field_kind: FieldKind | None = None
    value: str = ""
    checked: bool | None = None
    phase: Phase | None = None
    note: str = ""
    nav: NavigationKind | None = None
    opener_tab: SmallInt | None = None
    system: str = ""
    system_kind: SystemKind | None = None
    truncated: list[str] = []


# The field kinds whose value is an option the page offers, never text the
# agent typed: the extension reports a combobox's value only when an option
# of its list is picked, and typing into it as the field_edited of a text.
CHOICE_KINDS = (
    FieldKind.SELECT,
    FieldKind.RADIO,
    FieldKind.COMBOBOX,
    FieldKind.LISTBOX,
)


def value_allowed(event):
    """Return whether ``event`` may carry a ``value``: a chosen option's label."""
    return event.type == EventType.CHOICE_MADE and event.field_kind in CHOICE_KINDS


class Batch(msgspec.Struct, forbid_unknown_fields=True):
    events: list[Event]


class Uninstrumented(msgspec.Struct, forbid_unknown_fields=True):
    origin: str
    reason: str


class PrivacyReceipt(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What the recorder removed or could not see, so the SOP can say so."""

    redactions: dict[str, Annotated[int, msgspec.Meta(ge=0)]] = {}
    skipped_fields: list[str] = []
    uninstrumented: list[Uninstrumented] = []


class Client(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: str = "ledgerium-extension"
    version: str = ""
    browser: str = ""


class Recording(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A whole recording, as imported, exported and sent on creation.

    Creation may leave ``events`` out, to send them in batches; an imported
    document must hold at least one (``validation.decode_document``).
    """

    id: str
    format_version: Annotated[int, msgspec.Meta(ge=1, le=FORMAT_VERSION)] = (
        FORMAT_VERSION
    )
    title: str = ""
    kind: str = "incident"
    agent: str = ""
    client: Client = msgspec.field(default_factory=Client)
    started_at: Millis | None = None
    finished_at: Millis | None = None
    clock_offset_ms: Annotated[int, msgspec.Meta(ge=-86_400_000, le=86_400_000)] = 0
    privacy: PrivacyReceipt = msgspec.field(default_factory=PrivacyReceipt)
    events: list[Event] = []


class Finish(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The body that finishes a recording.

    ``last_seq`` is the last sequence number the client assigned, so that a
    lost final batch shows as a gap. ``gaps_final`` accepts the missing
    ranges as lost for good; without it a recording with gaps cannot be
    finished. ``dropped`` lists the seqs the agent removed in review: the
    server deletes them and does not count them missing.
    """

    finished_at: Millis | None = None
    last_seq: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None
    gaps_final: bool = False
    dropped: Annotated[list[Seq], msgspec.Meta(max_length=MAX_DROPPED)] = []
    privacy: PrivacyReceipt | None = None


TEXT_FIELDS = (
    "title",
    "origin",
    "path",
    "name",
    "role",
    "label",
    "value",
    "note",
    "system",
)


def truncate(event):
    """Return ``event`` with every text field cut to its maximum length."""
    cut = []
    changes = {}
    for field in TEXT_FIELDS:
        text = getattr(event, field)
        limit = MAX_LENGTHS[field]
        if len(text) > limit:
            changes[field] = text[: limit - 1] + "…"
            cut.append(field)
    if not cut:
        return event
    return msgspec.structs.replace(
        event, **changes, truncated=sorted(set(event.truncated) | set(cut))
    )


_LAST_BREAK = re.compile(r"\s+\S*$")


def shorten(text, limit):
    """Return ``text`` cut to at most ``limit`` characters, ending in "…".

    The cut falls between words, unless that would drop more than half of
    what fits: one very long word is cut inside.
    """
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if not text[limit - 1].isspace():
        last_break = _LAST_BREAK.search(kept)
        if last_break and last_break.start() >= limit // 2:
            kept = kept[: last_break.start()]
    return kept.rstrip() + "…"


def json_schema():
    """Return the JSON Schema of a whole recording document.

    A whole document, as imported, holds at least one event. ``$defs`` also
    holds ``Recording``, the body of the create request, where ``events``
    may be left out to be sent in batches, and ``Batch`` and ``Finish``,
    the bodies of the append and finish requests, for clients that
    validate those.
    """
    (root,), definitions = msgspec.json.schema_components(
        (Recording,), ref_template="#/$defs/{name}"
    )
    _batch, more = msgspec.json.schema_components(
        (Batch, Finish), ref_template="#/$defs/{name}"
    )
    schema = {
        **root,
        "required": ["events"],
        "properties": {"events": {"minItems": 1}},
        "$defs": {**definitions, **more},
    }
    schema["$defs"]["Event"].update(_value_rule())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Ledgerium recording, format version {FORMAT_VERSION}"
    return schema


def _value_rule():
    """Return the schema's form of ``value_allowed``: else ``value`` is empty."""
    return {
        "if": {
            "properties": {
                "type": {"const": EventType.CHOICE_MADE.value},
                "field_kind": {"enum": [kind.value for kind in CHOICE_KINDS]},
            },
            "required": ["type", "field_kind"],
        },
        "else": {"properties": {"value": {"const": ""}}},
    }
