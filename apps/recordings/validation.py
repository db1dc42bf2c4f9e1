"""Decode and clean what clients send, naming the field and event at fault.

Bodies are decoded straight into the format's msgspec Structs: no DRF
serializer sits on the event path, which is what keeps ingest fast. Every
text field is then stripped of control characters, redacted and cut to its
limit, in that order, so that what is stored never held the finding; only a
margin past the limit is cleaned at all.
"""

import functools
import operator
import re
from urllib.parse import urlsplit

import msgspec
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.sizes import size_exact
from apps.core.text import text_clean

from . import format, redaction

_DECODERS = {}
_ERROR_PATH = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_EVENT_PATH = re.compile(r"^\.events\[(?P<index>\d+)\](?:\.(?P<field>.*))?$")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")
# msgspec's own words for what is wrong, read to say it plainly.
_FIELD_PROBLEM = re.compile(
    r"^Object (?P<which>contains unknown|missing required) field `(?P<name>[^`]*)`$"
)
_TYPE_PROBLEM = re.compile(
    r"^Expected `(?P<expected>[^`]*)`"
    r"(?:, got `(?P<got>[^`]*)`|(?P<bound> (?:of length )?[<>]=? ?-?[\d.]+))$"
)
_VALUE_PROBLEM = re.compile(r"^Invalid (?:enum )?value (?P<value>.*)$")
# An array or object where the format has a plain value: the decoder stops
# there, however deep the container goes.
_NESTED = re.compile(
    r"^Expected `(?![^`]*\b(?:array|object)\b)[^`]*`, got `(?:array|object)`"
)
_NON_FINITE = (b"NaN", b"Infinity", b"-Infinity")
_ORIGIN = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?:[^/?#@]*@)?(?P<host>[^/?#]*)"
)

# Characters cleaned past a field's limit: more than the longest finding.
_MARGIN = 512
# Longer text is cleaned without the caches: it seldom recurs, and the
# caches must stay small whatever clients send.
_CACHED_FIELD_CHARS = 256
_CACHED_EVENT_CHARS = 1024
# Longest text kept in a privacy receipt: field labels and short reasons.
_RECEIPT_LENGTH = 200

REDACTED_FIELDS = ("title", "name", "label", "role", "value", "note", "system")


class TooLarge(ApplicationError):
    def __init__(self, message, **kwargs):
        super().__init__(message, code="too_large", status=413, **kwargs)


def _decoder(type_):
    if type_ not in _DECODERS:
        _DECODERS[type_] = msgspec.json.Decoder(type_)
    return _DECODERS[type_]


def decode(body, type_, *, max_bytes, file=False):
    """Return ``body`` decoded as ``type_``, or raise a 400 or 413 error.

    With ``file``, ``body`` is a file a person chose: the messages call it
    the file and say where in it by line and column rather than by byte.
    """
    if len(body) > max_bytes:
        raise too_large(len(body), max_bytes, file=file)
    _check_utf8(body, file)
    try:
        return _decoder(type_).decode(body)
    except msgspec.ValidationError as error:
        raise _invalid(body, str(error), file) from None
    except msgspec.DecodeError as error:
        raise _decode_error(body, str(error), file) from None


def too_large(size, limit, *, file=False):
    """Return the error for a body or ``file`` of ``size`` bytes over ``limit``."""
    sizes = {"size": size_exact(size), "limit": size_exact(limit)}
    if file:
        return TooLarge(_("The file is %(size)s; the limit is %(limit)s.") % sizes)
    return TooLarge(_("The body is %(size)s; the limit is %(limit)s.") % sizes)


def _place(body, offset, file):
    """Return where byte ``offset`` of ``body`` is, as its reader counts.

    A file is read in an editor, by line and column from 1, a column being
    a character; a body by the byte its decoder stopped at.
    """
    if not file:
        return _("byte %(offset)s") % {"offset": offset}
    line_start = body.rfind(b"\n", 0, offset) + 1
    return _("line %(line)s, column %(column)s") % {
        "line": body.count(b"\n", 0, offset) + 1,
        "column": len(body[line_start:offset].decode("utf-8", "replace")) + 1,
    }


def _check_utf8(body, file):
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        if file:
            message = _("The file is not text in UTF-8 (%(place)s).") % {
                "place": _place(body, error.start, file)
            }
        else:
            message = _("The body is not valid UTF-8 (byte %(offset)s).") % {
                "offset": error.start
            }
        raise ApplicationError(message, code="invalid_utf8") from None


def _decode_error(body, problem, file):
    offset = re.search(r" ?\(byte (\d+)\)", problem)
    position = int(offset[1]) if offset else -1
    if position >= 0 and body[position:].startswith(_NON_FINITE):
        return ApplicationError(
            _(
                "NaN and Infinity are not JSON numbers (%(place)s). "
                "Send finite numbers only."
            )
            % {"place": _place(body, position, file)},
            code="non_finite_number",
        )
    if file:
        message = _file_not_json(body, problem, offset)
    else:
        message = _("The body is not valid JSON: %(problem)s.") % {"problem": problem}
    return ApplicationError(message, code="invalid_json")


def _file_not_json(body, problem, offset):
    if not body.strip():
        return _("The file is empty: it holds no JSON.")
    if offset is None:
        # msgspec says no more than "Input data was truncated".
        return _(
            "The file is not valid JSON: it ends in the middle of the JSON, "
            "as a file cut short does."
        )
    problem = problem[: offset.start()].removeprefix("JSON is malformed: ")
    return _("The file is not valid JSON: %(problem)s (%(place)s).") % {
        "problem": problem,
        "place": _place(body, int(offset[1]), True),
    }


def _invalid(body, problem, file):
    """Return the error for a body the typed decoder refused as ``problem``.

    The typed decoder stops at the first value of the wrong type, which may
    come before the place where the body stops being JSON at all: such a
    body is said to be not JSON, as one without a wrong value before is.
    """
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        return _decode_error(body, str(error), file)
    except RecursionError:
        # Nested deeper than the interpreter's recursion limit, the body
        # cannot be read without types, even where the typed decoder stopped
        # at its first level: the typed decoder's word stands.
        document = None
    return _validation_error(problem, document, file)


def _validation_error(text, document, file):
    parts = _ERROR_PATH.match(text)
    problem, path = parts["problem"], parts["path"] or ""
    code = "nesting_too_deep" if _NESTED.search(problem) else "invalid"
    event = _EVENT_PATH.match(path)
    if event is None:
        field = path.lstrip(".") or None
        if field:
            message = _("%(problem)s (at $%(path)s).") % {
                "problem": _plain(problem, _("“%(field)s”") % {"field": field}),
                "path": path,
            }
        elif _FIELD_PROBLEM.match(problem) and file:
            message = _("%(problem)s in the file.") % {"problem": _plain(problem, "")}
        elif _FIELD_PROBLEM.match(problem):
            message = _("%(problem)s in the body.") % {"problem": _plain(problem, "")}
        else:
            whole = _("The file") if file else _("The body")
            message = _("%(problem)s.") % {"problem": _plain(problem, whole)}
        return ApplicationError(message, code=code, field=field)

    index = int(event["index"])
    seq = _seq_at(document, index)
    field = event["field"] or None
    message = _("%(event)s: %(problem)s (at $%(path)s).") % {
        "event": event_name(index=index, seq=seq),
        "problem": _plain(
            problem, _("“%(field)s”") % {"field": field} if field else _("the event")
        ),
        "path": path,
    }
    if field is None:
        unknown = _UNKNOWN.search(problem)
        field = unknown[1] if unknown else None
    return ApplicationError(
        message,
        code="invalid_event" if code == "invalid" else code,
        field=field,
        extra=event_extra(index=index, seq=seq),
    )


def _seq_at(document, index):
    """Return the seq of the event at ``index`` in ``document``, if it is valid.

    ``document`` is the body read again without types, for an error: the
    typed decoder stopped at that event. It is None for a body that could
    not be read so; its event is then named by place.
    """
    try:
        seq = document["events"][index]["seq"]
        return msgspec.convert(seq, format.Seq, strict=True)
    except (msgspec.ValidationError, LookupError, TypeError):
        return None


def event_name(*, index, seq):
    """Return how a message names the event at ``index`` of a list of events.

    A person finds an event by its seq; its place in the list, counted from
    1, tells apart events that share a seq and names one without a valid
    seq. The JSON path a message ends with counts from 0, as paths do.
    """
    if seq is None:
        return _("Event number %(number)s in the events list") % {"number": index + 1}
    return _("Event with seq %(seq)s (number %(number)s in the events list)") % {
        "seq": seq,
        "number": index + 1,
    }


def event_extra(*, index, seq):
    """Return the fields an error about one event carries besides its message."""
    return {"index": index} if seq is None else {"index": index, "seq": seq}


def _plain(problem, subject):
    """Return msgspec's ``problem`` about ``subject`` as a person would say it.

    "Expected `int`, got `str`" about "“seq”" becomes "“seq” must be a whole
    number, not text"; a problem not known here is kept as msgspec says it.
    """
    named = _FIELD_PROBLEM.match(problem)
    if named:
        if named["which"] == "missing required":
            return _("Missing field “%(name)s”") % {"name": named["name"]}
        return _("Unknown field “%(name)s”") % {"name": named["name"]}
    typed = _TYPE_PROBLEM.match(problem)
    if typed and typed["got"]:
        return _("%(subject)s must be %(expected)s, not %(got)s") % {
            "subject": subject,
            "expected": _type_name(typed["expected"]),
            "got": _type_name(typed["got"]),
        }
    if typed:
        return _("%(subject)s must be %(expected)s %(bound)s") % {
            "subject": subject,
            "expected": _type_name(typed["expected"]),
            "bound": _bound(typed["expected"], typed["bound"]),
        }
    value = _VALUE_PROBLEM.match(problem)
    if value:
        return _("%(subject)s has an unknown value, “%(value)s”") % {
            "subject": subject,
            "value": value["value"].removeprefix("'").removesuffix("'"),
        }
    return _("%(subject)s: %(problem)s") % {"subject": subject, "problem": problem}


def _type_name(name):
    names = {
        "int": _("a whole number"),
        "float": _("a decimal number"),
        "str": _("text"),
        "bool": _("true or false"),
        "array": _("a list"),
        "object": _("an object"),
        "null": _("null"),
    }
    return _(" or ").join(names.get(part, part) for part in name.split(" | "))


def _bound(expected, bound):
    """Return " of length <= 200" as "of at most 200 characters", and so on."""
    found = re.match(r" (of length )?([<>]=?) ?(\S+)", bound)
    length, limit = found[1], found[3]
    words = {
        ">=": _("at least"),
        ">": _("more than"),
        "<=": _("at most"),
        "<": _("less than"),
    }[found[2]]
    if not length:
        return _("of %(bound)s %(limit)s") % {"bound": words, "limit": limit}
    unit = _("characters") if expected == "str" else _("items")
    return _("of %(bound)s %(limit)s %(unit)s") % {
        "bound": words,
        "limit": limit,
        "unit": unit,
    }


def decode_batch(body):
    """Return the events of a batch body, cleaned, with each one's findings."""
    batch = decode(body, format.Batch, max_bytes=format.MAX_BATCH_BYTES)
    if len(batch.events) > format.MAX_BATCH_EVENTS:
        raise TooLarge(
            _("The batch holds %(count)s events; the limit is %(limit)s.")
            % {"count": len(batch.events), "limit": format.MAX_BATCH_EVENTS},
            field="events",
        )
    return clean_events(batch.events)


def decode_document(body):
    """Return a whole recording file, as imported, decoded; refuse one without
    events, which documents nothing."""
    document = decode(
        body, format.Recording, max_bytes=format.MAX_DOCUMENT_BYTES, file=True
    )
    if not document.events:
        raise ApplicationError(
            _(
                "The recording holds no events: “events” is missing or empty "
                "(at $.events). A recording needs at least one event to "
                "document anything."
            ),
            code="recording_empty",
            field="events",
        )
    if len(document.events) > format.MAX_DOCUMENT_EVENTS:
        raise TooLarge(
            _("The document holds %(count)s events; the limit is %(limit)s.")
            % {"count": len(document.events), "limit": format.MAX_DOCUMENT_EVENTS},
            field="events",
        )
    return document


def clean_events(events):
    """Return ``[(event, counts)]`` with every event cleaned."""
    cleaned = []
    for index, event in enumerate(events):
        _check_event(index, event)
        cleaned.append(clean_event(event))
    return cleaned


def _check_event(index, event):
    """Refuse what the format forbids and a decoder cannot see."""
    unknown = event.truncated and set(event.truncated) - _TEXT_FIELDS
    if unknown:
        raise _event_error(
            index,
            event,
            "truncated",
            _("%(event)s: truncated names unknown fields: %(fields)s.")
            % {
                "event": event_name(index=index, seq=event.seq),
                "fields": ", ".join(sorted(unknown)),
            },
        )
    # A value elsewhere is what an agent typed, sent by a broken or hostile
    # client: refused whole, since it must never be stored, even redacted.
    if event.value and not format.value_allowed(event):
        raise _event_error(index, event, "value", _value_problem(index, event))


def _value_problem(index, event):
    named = event_name(index=index, seq=event.seq)
    if event.type != format.EventType.CHOICE_MADE:
        return _(
            "%(event)s: a %(type)s event carries no value; typed text is "
            "never recorded (at $.events[%(index)s].value)."
        ) % {"event": named, "index": index, "type": event.type}
    return _(
        "%(event)s: a choice_made event on a field of kind %(kind)s "
        "carries no value; only the chosen option of a select, radio, "
        "combobox or listbox is recorded (at $.events[%(index)s].value)."
    ) % {"event": named, "index": index, "kind": event.field_kind or "null"}


def _event_error(index, event, field, message):
    return ApplicationError(
        message,
        code="invalid_event",
        field=field,
        extra=event_extra(index=index, seq=event.seq),
    )


def clean_event(event):
    """Return ``(event, counts)``: ``event`` stripped, redacted and cut.

    The same as ``format.truncate`` after cleaning each field, in one pass.
    """
    texts = _TEXTS_OF(event)
    if sum(map(len, texts)) > _CACHED_EVENT_CHARS:
        changes, counts, cut = _clean_texts.__wrapped__(texts)
    else:
        changes, counts, cut = _clean_texts(texts)
    if not changes:
        return event, dict(counts)
    changes = dict(changes)
    if cut:
        changes["truncated"] = sorted(set(event.truncated) | set(cut))
    return msgspec.structs.replace(event, **changes), dict(counts)


@functools.lru_cache(maxsize=32768)
def _clean_texts(texts):
    """Return ``(changes, counts, cut)`` for an event's text fields, in order.

    Cached as a whole: on one page, events share their title, path and
    origin, and often their target too.
    """
    counts, changes, cut = {}, [], []
    for (field, cleaner), text in zip(_CLEANERS, texts, strict=True):
        if not text:
            continue
        limit = format.MAX_LENGTHS[field]
        new, found = _clean_within(cleaner, text, limit)
        for rule, count in found:
            counts[rule] = counts.get(rule, 0) + count
        if len(new) > limit:
            new = new[: limit - 1] + "…"
            cut.append(field)
        if new != text:
            changes.append((field, new))
    return tuple(changes), tuple(counts.items()), tuple(cut)


def _clean_within(cleaner, text, limit):
    """Return ``(cleaned, found)`` for about the first ``limit`` characters.

    Only a margin past the limit is cleaned, so that the cost of a field
    does not grow with what is cut anyway, and a finding across the limit is
    still seen whole. When redaction shrank the text by more than half the
    margin, what was past the cut could come into view: clean more.
    """
    end = limit + _MARGIN
    while True:
        part = text[:end]
        if len(part) > _CACHED_FIELD_CHARS:
            new, found = _clean_field.__wrapped__(cleaner, part)
        else:
            new, found = _clean_field(cleaner, part)
        if end >= len(text) or len(new) >= limit + _MARGIN // 2:
            return new, found
        end *= 2


@functools.lru_cache(maxsize=65536)
def _clean_field(cleaner, text):
    """Return ``(cleaned, ((rule, count), ...))``.

    Cached: titles, labels, origins and paths recur across events and
    recordings, and every cleaner is a pure function of the text.
    """
    counts = {}
    return cleaner(text, counts), tuple(counts.items())


def clean_text(text, counts):
    """Return ``text`` without control characters, redacted."""
    return redaction.redact(text_clean(text), counts)


def _clean_path(text, counts):
    return redaction.redact_path(text_clean(text), counts)


def _clean_origin(text, counts):
    return clean_origin(text)


def clean_origin(origin):
    """Return ``scheme://host[:port]`` without user, path, query or fragment."""
    origin = text_clean(origin)
    match = _ORIGIN.match(origin)
    if match is None:
        return origin.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return match["scheme"] + match["host"]


_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=1024)
def origin_key(origin):
    """Return ``(scheme, host, port)`` of a web origin, or None for any other.

    Two origins are the same when their keys are: case and a default port
    written out do not count.
    """
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


_CLEANERS = (
    *((field, clean_text) for field in REDACTED_FIELDS),
    ("path", _clean_path),
    ("origin", _clean_origin),
)
_TEXTS_OF = operator.attrgetter(*(field for field, _cleaner in _CLEANERS))
_TEXT_FIELDS = frozenset(format.TEXT_FIELDS)


def clean_privacy(receipt):
    """Return the privacy receipt with its free text cut and redacted.

    Its redaction counts must name the rules: the SOP prints them.
    """
    unknown = sorted(set(receipt.redactions) - set(redaction.RULES))
    if unknown:
        raise ApplicationError(
            _(
                "privacy.redactions: %(keys)s names no redaction rule; "
                "the rules are %(rules)s."
            )
            % {
                "keys": ", ".join(msgspec.json.encode(key).decode() for key in unknown),
                "rules": ", ".join(redaction.RULES),
            },
            code="unknown_redaction_rule",
            field="privacy.redactions",
        )
    return msgspec.structs.replace(
        receipt,
        skipped_fields=[_clean_receipt_text(text) for text in receipt.skipped_fields],
        uninstrumented=[
            format.Uninstrumented(
                origin=clean_origin(item.origin[: _RECEIPT_LENGTH * 2]),
                reason=_clean_receipt_text(item.reason),
            )
            for item in receipt.uninstrumented
        ],
    )


def _clean_receipt_text(text):
    new, _found = _clean_within(clean_text, text, _RECEIPT_LENGTH)
    return new if len(new) <= _RECEIPT_LENGTH else new[: _RECEIPT_LENGTH - 1] + "…"
