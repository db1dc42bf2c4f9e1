"""Exports over traces: step timings as CSV and the runs as an XES event log.

Pure. Times are written in UTC with milliseconds; the same traces always
give the same bytes.
"""

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import repeat
from xml.sax.saxutils import quoteattr

from .measures import ordered_activities
from .trace import key_labels

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIMING_COLUMNS = (
    "run_id",
    "agent",
    "step",
    "key",
    "label",
    "phase",
    "system",
    "kind",
    "start",
    "end",
    "duration_ms",
)
# An imported history's runs are incidents, and who holds one is an
# assignment group: the group at that row, not the incident's final one.
IMPORTED_TIMING_COLUMNS = ("incident", "group", *TIMING_COLUMNS[2:])
# Steps of these kinds take no number, as in the SOP (``sop.step_numbers``).
UNNUMBERED_KINDS = ("wait",)
# What the XML 1.0 Char production leaves out.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XES_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)


def timestamp(ms):
    """Return ``ms`` since the epoch as ISO 8601 in UTC with milliseconds."""
    moment = EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def _cell(value):
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _groups_held(activities):
    """Yield the assignment group holding an incident at each of its activities."""
    group = ""
    for activity in activities:
        decision = activity.decision
        if decision is not None and decision.topic == "team":
            group = decision.value
        yield group


def _step_numbers(activities):
    """Return {id(activity): its step number, or ""} for a run's ``activities``.

    They come in the SOP's order, phase by phase, and are numbered as the
    SOP numbers its steps: from 1, a wait taking no number.
    """
    numbers, count = {}, 0
    for activity in activities:
        if activity.kind in UNNUMBERED_KINDS:
            numbers[id(activity)] = ""
        else:
            count += 1
            numbers[id(activity)] = count
    return numbers


def step_timings_csv(traces, *, imported=False):
    """Return one CSV row per step of every trace, runs in run-id order.

    A run's rows come in the order its steps started, each with its number
    in the SOP (``_step_numbers``). ``imported`` says the traces are an
    imported incident history: each row then names its incident and the
    group holding it at that row.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IMPORTED_TIMING_COLUMNS if imported else TIMING_COLUMNS)
    for trace in sorted(traces, key=lambda t: t.run_id):
        numbers = _step_numbers(trace.activities)
        activities = ordered_activities(trace)
        holders = (
            _groups_held(activities)
            if imported
            else repeat(trace.agent, len(activities))
        )
        for a, holder in zip(activities, holders, strict=True):
            row = (
                trace.run_id,
                holder,
                numbers[id(a)],
                a.key,
                a.label,
                a.phase,
                a.system,
                a.kind,
                timestamp(a.start_ms),
                timestamp(a.end_ms),
                a.duration_ms,
            )
            writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _xml_text(value):
    # XML 1.0 has no way to write these, even escaped.
    return _NOT_XML_CHAR.sub("", str(value))


def _string(key, value):
    return f"<string key={quoteattr(key)} value={quoteattr(_xml_text(value))}/>"


def activity_names(traces):
    """Return {key: the name a process-mining tool shows} over every trace.

    A step is named by the label its occurrences share (``key_labels``, as
    the report names a step seen in many runs), so that tools show what the
    SOP says rather than an internal key. Keys stay one-to-one with names:
    a label two keys share names each with its key after it, and a step
    without a label goes by its key.
    """
    labels = key_labels(a for trace in traces for a in trace.activities)
    names = {key: label or key for key, label in labels.items()}
    taken = Counter(names.values())
    return {
        key: name if taken[name] == 1 else f"{name} ({key})"
        for key, name in names.items()
    }


def _event(trace, activity, transition, ms, name):
    parts = [
        _string("concept:name", name),
        _string("lifecycle:transition", transition),
        f'<date key="time:timestamp" value="{timestamp(ms)}"/>',
        _string("org:resource", trace.agent),
        _string("ledgerium:key", activity.key),
        _string("ledgerium:label", activity.label),
        _string("ledgerium:phase", activity.phase),
        _string("ledgerium:kind", activity.kind),
    ]
    if activity.system:
        parts.append(_string("ledgerium:system", activity.system))
    if activity.decision is not None:
        parts.append(_string("ledgerium:decision", activity.decision.value))
    return "<event>" + "".join(parts) + "</event>"


def traces_xes(traces):
    """Return the traces as an XES 1.0 log: a start and a complete per step.

    Each event's ``concept:name`` is its step's name from ``activity_names``;
    ``ledgerium:key`` keeps the key and ``ledgerium:label`` this run's label.
    """
    names = activity_names(traces)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">',
    ]
    lines += [
        f'<extension name="{name}" prefix="{prefix}" uri="{uri}"/>'
        for name, prefix, uri in XES_EXTENSIONS
    ]
    lines.append('<classifier name="Activity" keys="concept:name"/>')
    for trace in sorted(traces, key=lambda t: t.run_id):
        lines.append("<trace>" + _string("concept:name", trace.run_id))
        if trace.title:
            lines.append(_string("ledgerium:title", trace.title))
        for activity in ordered_activities(trace):
            name = names[activity.key]
            lines.append(_event(trace, activity, "start", activity.start_ms, name))
            lines.append(_event(trace, activity, "complete", activity.end_ms, name))
        lines.append("</trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"
