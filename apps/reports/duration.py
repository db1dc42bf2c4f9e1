"""Durations in words a reader takes in at a glance: 45 s, 12 min, 3 h 5 min."""


def format_duration(ms):
    """Return ``ms`` as the two largest units that matter, or an en dash.

    The one rounding rule for every duration shown, SOP wait steps included:
    whole seconds, then the two largest units.
    """
    if ms is None:
        return "–"
    seconds = round(max(0, ms) / 1000)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def whole_seconds(parts):
    """Return ``parts`` (ms) rounded to whole seconds that add up as shown.

    Each part rounded alone can make the parts shown add up to a second
    more or less than their total shown. Here each running total is
    rounded instead, as ``format_duration`` rounds, and each part is the
    step from one to the next: the parts shown add up to the total shown,
    and so do the first few of them to their subtotal. A part is still
    within a second of its own time.
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
    """Return whether ``format_duration(ms)`` reads "0 s": under half a second."""
    return ms is not None and round(max(0, ms) / 1000) == 0
