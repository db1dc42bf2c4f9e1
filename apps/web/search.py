"""The search box's words and highlighted snippets, as plain values.

Pure: a query comes in as the text typed, results go out as segments of
text, each marked as a match or not, for the template to escape and show.
"""

import re
from dataclasses import dataclass

from apps.workflows.steps import TICKET

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
# Marks PostgreSQL puts around each matched word; no stored text holds them.
MATCH_START = "\x02"
MATCH_END = "\x03"
# Stand-ins for "<" and ">" while PostgreSQL reads a text; see selectors.
ANGLE_BRACKETS = "\x04\x05"
WORD = re.compile(r"\w+")
MARKS = re.compile(f"{MATCH_START}(.*?){MATCH_END}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Terms:
    text: str
    words: tuple
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    match: bool


def search_terms(query):
    """Return the text to search for and its words, cut to the longest query.

    A query cut at ``MAX_QUERY_LENGTH`` ends at the last whole word before
    the cut, so that half a word is never searched for.
    """
    # No stored text holds NUL or our marks, and PostgreSQL refuses NUL.
    text = " ".join(re.sub(r"[\x00-\x05]", "", query).split())
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        text = text[: MAX_QUERY_LENGTH + 1].rsplit(" ", 1)[0][:MAX_QUERY_LENGTH]
    words = dict.fromkeys(word.casefold() for word in WORD.findall(text))
    return Terms(text=text, words=tuple(words), truncated=truncated)


def ticket_numbers(terms):
    """Return the ticket numbers ``terms`` name, such as ``INC0012345``.

    Numbers are matched as the recorder sees them, in capitals, whatever
    case they were typed in.
    """
    found = (match[1] for match in TICKET.finditer(terms.text.upper()))
    return tuple(dict.fromkeys(found))


def highlight(text, words):
    """Return ``text`` as segments, each occurrence of one of ``words`` a match."""
    if not words:
        return [Segment(text, False)]
    longest_first = sorted(words, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE)
    return _segments(text, pattern.finditer(text), group=0)


def marked_segments(marked):
    """Return the segments of a headline whose matches sit between our marks."""
    text = marked.translate(str.maketrans(ANGLE_BRACKETS, "<>"))
    return _segments(text, MARKS.finditer(text), group=1)


def _segments(text, matches, *, group):
    segments, position = [], 0
    for found in matches:
        if found.start() > position:
            segments.append(Segment(text[position : found.start()], False))
        segments.append(Segment(found.group(group), True))
        position = found.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments
