"""The search box's words and highlighted snippets, as plain values.

Pure: a query comes in as the text typed, results go out as segments of
text, each marked as a match or not, for the template to escape and show.
"""

import re
import unicodedata
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
EXCERPT_WIDTH = 90
# Each ticket number is looked for in every recorded page's title and path,
# which no index serves: a query names a few, and no more are looked up.
MAX_TICKET_NUMBERS = 5
MARKS = re.compile(f"{MATCH_START}(.*?){MATCH_END}", re.DOTALL)
# A part of a query as PostgreSQL's websearch_to_tsquery reads it: a quoted
# phrase (to the end when unclosed) or a run of other characters, either
# negated by a minus before it.
PART = re.compile(r'(?P<minus>-?)(?P<text>"[^"]*(?:"|$)|[^\s"]+)')
# Each factor of a query spread over fields is looked for in every field:
# past this many, a query is matched within one field only.
MAX_FACTORS = 10


@dataclass(frozen=True, slots=True)
class Terms:
    text: str
    words: tuple
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Factor:
    """A part of a query a result holds in some field, or in none if negated.

    ``text`` is the part as typed, without its minus; ``query`` is what
    PostgreSQL makes of it, once asked.
    """

    text: str
    negated: bool = False
    query: str = ""

    @property
    def words(self):
        return tuple(dict.fromkeys(w.casefold() for w in WORD.findall(self.text)))

    @property
    def numbers(self):
        return ticket_numbers(self.text)


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


def query_branches(text):
    """Return the alternatives of a query, each a tuple of its factors.

    Read as PostgreSQL's ``websearch_to_tsquery`` reads it: "or" between two
    parts starts another alternative, binding less tightly than the parts
    around it ("a b or c" is "a b", or "c"); a quoted phrase is one factor;
    a minus before a part negates it.
    """
    branches, factors = [], []
    for part in PART.finditer(text):
        if not part["minus"] and part["text"].casefold() == "or":
            branches.append(tuple(factors))
            factors = []
            continue
        factors.append(Factor(part["text"], negated=bool(part["minus"])))
    branches.append(tuple(factors))
    return tuple(branch for branch in branches if branch)


def ticket_numbers(text):
    """Return the ticket numbers ``text`` names, such as ``INC0012345``.

    Numbers are matched as the recorder sees them, in capitals, whatever
    case they were typed in; the first ``MAX_TICKET_NUMBERS`` are kept.
    """
    found = (match[1] for match in TICKET.finditer(text.upper()))
    return tuple(dict.fromkeys(found))[:MAX_TICKET_NUMBERS]


def fold(text):
    """Return ``text`` without accents, in lower case: "Tomás" gives "tomas"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def highlight(text, words):
    """Return ``text`` as segments, each word holding one of ``words`` a match.

    Words match in any case and with or without accents. A match marks the
    whole word it falls in: "certificat" marks all of "Certificates", as
    the search found the text by that word.
    """
    folded = sorted({fold(word) for word in words} - {""}, key=len, reverse=True)
    if not folded:
        return [Segment(text, False)]
    # Where each folded character came from: a folded text can be longer.
    origin = [index for index, char in enumerate(text) for _part in fold(char)]
    pattern = re.compile("|".join(map(re.escape, folded)))
    spans = [
        _whole_word(text, origin[found.start()], origin[found.end() - 1] + 1)
        for found in pattern.finditer("".join(map(fold, text)))
    ]
    return _spans_segments(text, spans)


def _whole_word(text, start, end):
    """Return the span ``start`` to ``end`` of ``text`` widened to whole words."""
    while start > 0 and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    return start, end


def _in_word(char):
    # An accent written as its own character belongs to the letter before.
    return char.isalnum() or char == "_" or unicodedata.combining(char) > 0


def marked_segments(marked, original=None):
    """Return the segments of a headline whose matches sit between our marks.

    A headline PostgreSQL made of ``original`` without its accents shows
    ``original``'s own letters, each mark moved onto the letters it was made
    from; where the two cannot be lined up, it shows the headline as made.
    """
    text = marked.translate(str.maketrans(ANGLE_BRACKETS, "<>"))
    segments = _segments(text, MARKS.finditer(text), group=1)
    if original is None:
        return segments
    origins = _unaccented_origins(original, "".join(part.text for part in segments))
    if origins is None:
        return segments
    spans, position = [], 0
    for part in segments:
        end = position + len(part.text)
        if part.match and part.text:
            # Up to the next character's origin: an accent dropped after
            # the last letter belongs to the mark.
            stop = origins[end] if end < len(origins) else len(original)
            spans.append((origins[position], max(stop, origins[end - 1] + 1)))
        position = end
    return _spans_segments(original, spans)


# How far a character unaccent spells otherwise ("©" as "(C)") may reach.
MAX_UNACCENTED_LENGTH = 4


def _unaccented_origins(original, unaccented):
    """Return, for each character of ``unaccented``, where in ``original`` it
    came from; None when the two cannot be lined up.

    ``unaccented`` is ``original`` as PostgreSQL's ``unaccent`` gives it:
    each character kept, spelt without its accent ("é" as "e", "ß" as
    "ss") or dropped (an accent written on its own). A character spelt in a
    way not foreseen here is taken to reach up to where the next one is.
    """
    origins = []
    for index, char in enumerate(original):
        at = len(origins)
        spelt = next(
            (
                form
                for form in _unaccented_forms(char)
                if unaccented.startswith(form, at)
            ),
            None,
        )
        if spelt is None and not _bare(char):
            continue
        if spelt is None:
            spelt = _reach(original, unaccented, index, at)
        if spelt is None:
            return None
        origins += [index] * len(spelt)
    return origins if len(origins) == len(unaccented) else None


def _bare(char):
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unaccented_forms(char):
    bare = _bare(char)
    forms = (char, bare, bare.casefold(), bare.casefold().upper())
    return [form for form in dict.fromkeys(forms) if form]


def _reach(original, unaccented, index, at):
    """Return what ``original[index]`` was spelt as, judged by what follows."""
    following = original[index + 1 : index + 2]
    for end in range(at + 1, min(at + MAX_UNACCENTED_LENGTH, len(unaccented)) + 1):
        if not following and end == len(unaccented):
            return unaccented[at:end]
        forms = _unaccented_forms(following) if following else ()
        if any(unaccented.startswith(form, end) for form in forms):
            return unaccented[at:end]
    return None


def excerpt(text, words, *, width=EXCERPT_WIDTH):
    """Return the part of ``text`` around its first match, as segments.

    A text up to ``width`` characters is shown whole; a longer one is cut to
    about ``width`` around the first occurrence of one of ``words``, with an
    ellipsis where text was left out.
    """
    if len(text) > width:
        folded = text.casefold()
        found = [at for word in words if (at := folded.find(word)) >= 0]
        start = max(0, min(min(found, default=0) - width // 3, len(text) - width))
        end = start + width
        cut = text[start:end].strip()
        text = ("…" if start else "") + cut + ("…" if end < len(text) else "")
    return highlight(text, words)


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


def _spans_segments(text, spans):
    segments, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[start:end], True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments
