"""Free text from users and uploads, made safe to store."""

import re

# PostgreSQL refuses NUL in text and JSON columns; the other control
# characters (C0 but tab and newline, DEL, C1) only garble pages and PDFs.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def text_clean(value):
    """Return ``value`` without control characters other than tab and newline."""
    return CONTROL_CHARACTERS.sub("", value)
