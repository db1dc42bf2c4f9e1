"""Remove personal data and secrets from recorded text. Pure: no Django.

Each rule replaces what it finds with a marker such as ``[email]`` and is
counted by name. The extension runs the same rules before upload; both sides
are held to ``schema/redaction-vectors.json``. The patterns use ASCII classes
only so that they mean the same in Python and JavaScript; the rules read the
text through ``_plain`` so that Unicode look-alikes cannot slip past them.

Ticket and order numbers (``INC0012345``, ``SD-42``, ``Order #10234``) are
what an SOP reader needs, so a digit run joined to letters is never touched.
"""

import functools
import re
import unicodedata

FLAGS = re.ASCII

# Text without any of these cannot match a rule; most labels are skipped by
# this one search. Each alternative is a part every match of some rule holds
# (the rules' own preconditions below), so the search changes no result.
_TRIGGER = re.compile(
    r"@|://|www\.|[Bb][Ee][Aa][Rr][Ee][Rr]|eyJ"
    r"|(?:sk|pk|rk)_(?:live|test)_|gh[pousr]_|github_pat_|xox[abposr]-"
    r"|A(?:KIA|SIA|Iza)|ldg_"
    r"|[A-Za-z]{2}[0-9]{2}|[0-9][0-9 ().+-]{4,}[0-9]|[A-Za-z0-9_+/-]{32}",
    FLAGS,
)

_URL_QUERY = re.compile(
    r"(?P<url>(?:[A-Za-z][A-Za-z0-9+.-]{0,31}://|www\.)[^\s?#]*)"
    r"(?P<rest>(?:\?(?!\[query\])|#)[^\s]*)",
    FLAGS,
)
# Where a URL may start, and where its part before a query or fragment ends.
_URL_START = re.compile(r"(?=([A-Za-z][A-Za-z0-9+.-]{0,31}://|www\.))", FLAGS)
_URL_END = re.compile(r"[\s?#]", FLAGS)


class _UrlQueries:
    """``_URL_QUERY.sub`` in one pass over the text.

    The pattern alone tries every start and scans each to the end of its
    word: quadratic on text such as ``http://http://...``. A start matches
    exactly when the first whitespace, ``?`` or ``#`` after its scheme is a
    ``#`` or a ``?`` not followed by ``[query]``, and the starts of one word
    share that character, so it is looked for once per word.
    """

    def sub(self, replace, text):
        parts, done, end = [], 0, -1
        for start in _URL_START.finditer(text):
            at = start.start()
            if at < done:
                continue
            if at + len(start[1]) > end:
                found = _URL_END.search(text, at + len(start[1]))
                end = found.start() if found else len(text)
            if not _opens_query(text, end):
                continue
            match = _URL_QUERY.match(text, at)
            parts += (text[done:at], replace(match))
            done = match.end()
        parts.append(text[done:])
        return "".join(parts)


def _opens_query(text, at):
    if at >= len(text) or text[at] not in "?#":
        return False
    return text[at] == "#" or not text.startswith("[query]", at + 1)


_URL_QUERIES = _UrlQueries()
_BEARER = re.compile(
    r"(?P<word>bearer)\s+(?!\[token\])[A-Za-z0-9._~+/-]+=*", FLAGS | re.I
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", FLAGS)
_API_KEY = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|A(?:KIA|SIA)[0-9A-Z]{16}"
    r"|AIza[A-Za-z0-9_-]{30,}"
    r"|ldg_[A-Za-z0-9_-]{20,}"
    r")",
    FLAGS,
)
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\u00c0-\U0010ffff-]{1,64}"
    r"@[A-Za-z0-9\u00c0-\U0010ffff-]{1,63}(?:\.[A-Za-z0-9\u00c0-\U0010ffff-]{1,63})*"
    r"\.(?:[Xx][Nn]--[A-Za-z0-9-]{1,59}|[A-Za-z\u00c0-\U0010ffff]{2,63})",
    FLAGS,
)
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}"
    r"(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])",
    FLAGS,
)
# Digits with single spaces or dashes between them, or dotted groups: four to
# six digits, then two to four groups of three to six. An IP address or a
# version number (groups of three digits at most) is never a card.
_CARD = re.compile(
    r"(?<![0-9A-Za-z-])(?:(?:[0-9][ -]?){12,18}[0-9]|[0-9]{4,6}(?:\.[0-9]{3,6}){2,4})"
    r"(?![0-9A-Za-z])",
    FLAGS,
)
_ACCOUNT = re.compile(
    r"(?P<word>(?:account|acct|a/c)(?: ?(?:no\.?|number|#))?[ :#]*)"
    r"[0-9][0-9 .-]{4,}[0-9]",
    FLAGS | re.I,
)
_PHONE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"\+[0-9][0-9 ().-]{6,}[0-9]"
    r"|\([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}"
    r"|[0-9]{3}[-. ][0-9]{3}[-. ][0-9]{4}"
    r"|0[0-9]{2,4}[ -][0-9]{3,4}[ -]?[0-9]{3,4}"
    r")(?![A-Za-z0-9_-])",
    FLAGS,
)
_HEX_SECRET = re.compile(r"(?<![A-Za-z0-9_-])[0-9a-fA-F]{32,}(?![A-Za-z0-9_-])", FLAGS)
_B64_SECRET = re.compile(
    r"(?<![A-Za-z0-9_+/=-])[A-Za-z0-9_+/-]{32,}={0,2}(?![A-Za-z0-9_+/=-])", FLAGS
)
_DIGITS = re.compile(r"(?<![A-Za-z0-9_-])[0-9]{9,}(?![A-Za-z0-9_])", FLAGS)

# The order matters: a URL's query goes before the email inside it is seen,
# a card before its digits count as a long run.
RULES = (
    "query",
    "bearer",
    "jwt",
    "api_key",
    "email",
    "iban",
    "card",
    "account",
    "phone",
    "secret",
    "digits",
)


def _luhn_valid(digits):
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban_valid(text):
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in moved)
    return int(number) % 97 == 1


def _card(match):
    digits = re.sub(r"[^0-9]", "", match[0])
    if 13 <= len(digits) <= 19 and _luhn_valid(digits):
        return "[card]"
    return None


def _iban(match):
    return "[iban]" if _iban_valid(match[0]) else None


def _b64_secret(match):
    text = match[0]
    mixed = (
        re.search(r"[0-9]", text)
        and re.search(r"[a-z]", text)
        and re.search(r"[A-Z]", text)
    )
    return "[secret]" if mixed else None


_CACHED_CHARS = 256
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+", FLAGS)
# Encoded back in a redacted segment, so that it stays one printable segment.
_UNSAFE_IN_SEGMENT = re.compile(r"[\x00-\x20\x7f%/?#\ufffe\uffff]", FLAGS)
_DIGIT_HINT = re.compile(r"[0-9][0-9 ().+-]{4,}[0-9]", FLAGS)
_IBAN_HINT = re.compile(r"[A-Za-z]{2}[0-9]{2}", FLAGS)
_NOT_ASCII = re.compile(r"[^\x00-\x7f]", FLAGS)


@functools.lru_cache(maxsize=4096)
def _plain_char(char):
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category == "Zs":
        return " "
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return char


def _plain(text):
    """Return ``text`` as the rules read it.

    Format characters (zero-width spaces, soft hyphens, direction marks) are
    dropped, every space separator reads as a space and every decimal digit as
    its ASCII digit, then NFKC folds the remaining look-alikes (full-width
    letters and signs). Otherwise a secret split or spelled with them would
    pass every rule.
    """
    if text.isascii():
        return text
    mapped = _NOT_ASCII.sub(lambda match: _plain_char(match[0]), text)
    return unicodedata.normalize("NFKC", mapped)


def _has_digit_run(text):
    return _DIGIT_HINT.search(text) is not None


# Each rule runs only when its cheap precondition holds. A precondition is
# necessary for the rule's pattern to match, so it changes no result; the
# extension need not copy them.
_SUBSTITUTIONS = (
    (
        "query",
        lambda t: "://" in t or "www." in t,
        _URL_QUERIES,
        lambda m: m["url"] + "?[query]",
    ),
    (
        "bearer",
        lambda t: "bearer" in t.lower(),
        _BEARER,
        lambda m: m["word"] + " [token]",
    ),
    ("jwt", lambda t: "eyJ" in t, _JWT, lambda m: "[token]"),
    (
        "api_key",
        lambda t: "_" in t or "xox" in t or "AKIA" in t or "ASIA" in t or "AIza" in t,
        _API_KEY,
        lambda m: "[api_key]",
    ),
    ("email", lambda t: "@" in t, _EMAIL, lambda m: "[email]"),
    ("iban", lambda t: _IBAN_HINT.search(t) is not None, _IBAN, _iban),
    ("card", _has_digit_run, _CARD, _card),
    (
        "account",
        lambda t: ("acc" in t.lower() or "a/c" in t.lower()) and _has_digit_run(t),
        _ACCOUNT,
        lambda m: m["word"] + "[account]",
    ),
    ("phone", _has_digit_run, _PHONE, lambda m: "[phone]"),
    ("secret", lambda t: len(t) >= 32, _HEX_SECRET, lambda m: "[secret]"),
    ("secret", lambda t: len(t) >= 32, _B64_SECRET, _b64_secret),
    ("digits", _has_digit_run, _DIGITS, lambda m: "[number]"),
)


def _apply(rule, pattern, replace, text, counts):
    def substitute(match):
        replacement = replace(match)
        if replacement is None:
            return match[0]
        counts[rule] = counts.get(rule, 0) + 1
        return replacement

    return pattern.sub(substitute, text)


@functools.lru_cache(maxsize=32768)
def _redact(text):
    """Return ``(redacted, counts)``; the same labels recur in every recording.

    Text in which nothing is found is returned as it was written, so the
    reading through ``_plain`` changes only text that is redacted anyway.
    """
    counts = {}
    plain = _plain(text)
    if _TRIGGER.search(plain):
        for rule, needed, pattern, replace in _SUBSTITUTIONS:
            if needed(plain):
                plain = _apply(rule, pattern, replace, plain, counts)
    if not counts:
        return text, ()
    return plain, tuple(counts.items())


def redact(text, counts=None):
    """Return ``text`` with every finding replaced by its marker.

    Findings are added to ``counts`` (rule name to number) when given.
    """
    if not text:
        return text
    if len(text) > _CACHED_CHARS:
        # Long text seldom recurs; caching it would only hold memory.
        text, found = _redact.__wrapped__(text)
    else:
        text, found = _redact(text)
    if counts is not None:
        for rule, count in found:
            counts[rule] = counts.get(rule, 0) + count
    return text


def redact_path(path, counts=None):
    """Return a URL path without query or fragment, each segment redacted.

    A segment is redacted as it reads once percent-decoded.
    """
    if counts is None:
        counts = {}
    cut = min((i for i in (path.find("?"), path.find("#")) if i >= 0), default=-1)
    if cut >= 0:
        path = path[:cut]
        counts["query"] = counts.get("query", 0) + 1
    if "%" not in path and not _TRIGGER.search(_plain(path)):
        return path
    return "/".join(_redact_segment(segment, counts) for segment in path.split("/"))


def _redact_segment(segment, counts):
    """Redact ``segment`` as read: percent-decoded, and encoded back if changed."""
    if "%" not in segment:
        return redact(segment, counts)
    decoded = _percent_decode(segment)
    redacted = redact(decoded, counts)
    if redacted == decoded:
        return segment
    return _UNSAFE_IN_SEGMENT.sub(_percent_encode, redacted)


def _percent_decode(segment):
    # Up to three rounds: text encoded twice still reads as the finding.
    for _round in range(3):
        decoded = _ESCAPES.sub(_decode_escapes, segment)
        if decoded == segment:
            break
        segment = decoded
    return segment


def _percent_encode(match):
    return "".join(f"%{byte:02X}" for byte in match[0].encode())


def _decode_escapes(match):
    return bytes.fromhex(match[0].replace("%", "")).decode("utf-8", "replace")
