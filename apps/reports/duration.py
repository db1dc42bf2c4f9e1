"""Durations in words a reader takes in at a glance: 45 s, 12 min, 3 h 5 min."""

import math

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Each range of durations is shown in a larger and a smaller unit, and
# rounded to the smaller: (shown below, larger, its name, smaller, its name).
# Under a minute a duration is in seconds alone. Each range ends where its
# larger unit would reach the next one, so that no count of a unit reaches
# the next unit up: a day or more is always in days, and a column of
# durations compares at a glance ("23 h 41 min", "1 d 3 h", "2 d 2 h").
SCALES = (
    (HOUR, MINUTE, "min", 1, "s"),
    (DAY, HOUR, "h", MINUTE, "min"),
    (math.inf, DAY, "d", HOUR, "h"),
)


def format_duration(ms):
    """Return ``ms`` as the two largest units that matter, or an en dash.

    The one rounding rule for every duration shown, SOP wait steps included:
    whole seconds, then the smallest unit shown, half of it rounding up, so
    that 89 min 57 s reads "1 h 30 min". A range is chosen by the rounded
    time, so the carry goes into the larger unit: 59 min 59.6 s reads
    "1 h", never "59 min 60 s" or "60 min".
    """
    if ms is None:
        return "–"
    seconds = round(max(0, ms) / 1000)
    if seconds < MINUTE:
        return f"{seconds} s"
    (_below, larger, name, smaller, small_name), shown = _scaled(seconds)
    count, rest = divmod(shown, larger)
    if rest:
        return f"{count} {name} {rest // smaller} {small_name}"
    return f"{count} {name}"


def _scaled(seconds):
    """Return the scale that shows ``seconds``, and them rounded to its unit."""
    for scale in SCALES:
        below, smaller = scale[0], scale[3]
        shown = (seconds + smaller // 2) // smaller * smaller
        if shown < below:
            break
    return scale, shown


def whole_seconds(parts):
    """Return ``parts`` (ms) rounded to whole seconds that add up as shown.

    Each part rounded alone can make the parts shown add up to a second
    more or less than their total shown. Here each running total is
    rounded instead, as ``format_duration`` rounds seconds, and each part is
    the step from one to the next: the parts add up to the total in whole
    seconds, and so do the first few of them to their subtotal. A part is
    still within a second of its own time.

    A total under an hour is shown to the second, so there the parts shown
    add up to the total shown. Past an hour ``format_duration`` shows the
    total to the minute (from a day on, to the hour): the parts shown then
    add up to within half of that unit of it.
    """
    shown, running, before = [], 0, 0
    for ms in parts:
        running += max(0, ms)
        rounded = round(running / 1000) * 1000
        shown.append(rounded - before)
        before = rounded
    return shown


def unbroken_duration(ms):
    """Return ``format_duration(ms)`` with no-break spaces: "41 min 31 s".

    A duration read across a line break ("41 min 31 / s") is misread.
    """
    return format_duration(ms).replace(" ", "\u00a0")


def shows_as_zero(ms):
    """Return whether ``format_duration(ms)`` reads "0 s": half a second or less."""
    return ms is not None and round(max(0, ms) / 1000) == 0
