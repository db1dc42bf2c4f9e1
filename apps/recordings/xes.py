"""Write recordings as an IEEE 1849 (XES) event log. Pure: no Django.

One trace per recording and one event per recorded event, with the
standard extensions process-mining tools read: concept, time, org and
lifecycle. Times are the corrected ones, in UTC.
"""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

NAMESPACE = "http://www.xes-standard.org/"
# What the XML 1.0 Char production leaves out: it cannot be written at all.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
EXTENSIONS = (
    ("Concept", "concept"),
    ("Time", "time"),
    ("Organizational", "org"),
    ("Lifecycle", "lifecycle"),
)


def timestamp(ms):
    """Return epoch milliseconds as an XES date, e.g. 2026-01-02T03:04:05.678Z."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def activity_name(event):
    """Return what a process-mining tool shows as the event's activity."""
    target = (
        event.label
        or event.name
        or (event.phase.value if event.phase else "")
        or event.title
        or event.path
    )
    return f"{event.type.value}: {target}" if target else event.type.value


def _attribute(parent, kind, key, value):
    value = _NOT_XML_CHAR.sub("", str(value))
    ElementTree.SubElement(parent, kind, key=key, value=value)


def _log():
    log = ElementTree.Element(
        "log",
        {
            "xmlns": NAMESPACE,
            "xes.version": "1849-2016",
            "xes.features": "",
        },
    )
    for name, prefix in EXTENSIONS:
        ElementTree.SubElement(
            log,
            "extension",
            name=name,
            prefix=prefix,
            uri=f"{NAMESPACE}{prefix}.xesext",
        )
    trace_global = ElementTree.SubElement(log, "global", scope="trace")
    _attribute(trace_global, "string", "concept:name", "")
    event_global = ElementTree.SubElement(log, "global", scope="event")
    _attribute(event_global, "string", "concept:name", "")
    _attribute(event_global, "date", "time:timestamp", timestamp(0))
    _attribute(event_global, "string", "lifecycle:transition", "complete")
    ElementTree.SubElement(log, "classifier", name="Activity", keys="concept:name")
    _attribute(log, "string", "concept:name", "Ledgerium recordings")
    return log


def _event(trace, event, agent):
    element = ElementTree.SubElement(trace, "event")
    _attribute(element, "string", "concept:name", activity_name(event))
    _attribute(element, "date", "time:timestamp", timestamp(event.ts))
    _attribute(element, "string", "org:resource", agent or "unknown")
    _attribute(element, "string", "lifecycle:transition", "complete")
    _attribute(element, "int", "seq", event.seq)
    _attribute(element, "string", "type", event.type.value)
    for key in ("origin", "path", "system"):
        if getattr(event, key):
            _attribute(element, "string", key, getattr(event, key))


def write(documents):
    """Return the XES log of ``documents`` (format.Recording) as UTF-8 bytes.

    Event times must already be corrected (``clock_offset_ms`` of 0).
    """
    log = _log()
    for document in documents:
        trace = ElementTree.SubElement(log, "trace")
        _attribute(trace, "string", "concept:name", document.id)
        if document.title:
            _attribute(trace, "string", "title", document.title)
        _attribute(trace, "string", "kind", document.kind)
        for event in document.events:
            _event(trace, event, document.agent)
    ElementTree.indent(log)
    return ElementTree.tostring(log, encoding="utf-8", xml_declaration=True) + b"\n"
