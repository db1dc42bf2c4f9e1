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


def unbroken_duration(ms):
    """Return ``format_duration(ms)`` with no-break spaces: "41 min 31 s".

    A duration read across a line break ("41 min 31 / s") is misread.
    """
    return format_duration(ms).replace(" ", "\u00a0")


def shows_as_zero(ms):
    """Return whether ``format_duration(ms)`` reads "0 s": under half a second."""
    return ms is not None and round(max(0, ms) / 1000) == 0
