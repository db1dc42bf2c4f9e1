"""Free text from users and uploads, made safe to store."""

import re

# PostgreSQL refuses NUL in text and JSON columns; the other control
# characters (C0 but tab and newline, DEL, C1) only garble pages and PDFs,
# and XML, which every export is or ends in, can hold none of them, nor lone
# surrogates, U+FFFE or U+FFFF. Bidirectional embeddings, overrides and
# isolates go too: one left open turns round what follows it on a line of
# the page ("... invites you to join", a step's instruction). A carriage
# return becomes a line break.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def text_clean(value):
    """Return ``value`` with line breaks as ``\\n`` and no other control
    characters than tab and newline."""
    if not CONTROL_CHARACTERS.search(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", value)
