"""Sizes in bytes as people read them.

Every limit is a whole number of binary units (32 MiB is 33,554,432 bytes),
so sizes are given in those units and named as such: "MB" is read as a
million bytes by some systems and as 2**20 by others. Where a size is
compared with a limit, the exact bytes follow, which any file manager shows.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

KIB = 1024
UNITS = (
    (KIB**3, "%(size)s GiB"),
    (KIB**2, "%(size)s MiB"),
    (KIB, "%(size)s KiB"),
)


def size_text(size):
    """Return ``size`` in bytes in its largest binary unit: "32 MiB", "33.0 MiB".

    A whole number of the unit is written whole, any other to one decimal.
    """
    for unit, text in UNITS:
        if size >= unit:
            whole, rest = divmod(size, unit)
            # number_format cuts digits off; round first, as people do.
            shown = whole if not rest else number_format(round(size / unit, 1), 1)
            return _(text) % {"size": shown}
    return _bytes(size)


def size_exact(size):
    """Return ``size_text(size)`` with the bytes: "32 MiB (33,554,432 bytes)"."""
    if size < KIB:
        return _bytes(size)
    return _("%(size)s (%(bytes)s)") % {"size": size_text(size), "bytes": _bytes(size)}


def _bytes(size):
    count = number_format(size, force_grouping=True)
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": count}
