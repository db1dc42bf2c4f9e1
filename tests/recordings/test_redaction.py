import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from apps.recordings import redaction
from apps.recordings.redaction import RULES, redact, redact_path

VECTORS_FILE = Path(__file__).resolve().parents[2] / "schema/redaction-vectors.json"
VECTORS = json.loads(VECTORS_FILE.read_text())


def test_redaction_vectors_cover_every_rule():
    counted = {rule for vector in VECTORS["vectors"] for rule in vector["counts"]}

    assert len(VECTORS["vectors"]) >= 40
    assert VECTORS["rules"] == list(RULES)
    assert counted == set(RULES)


@pytest.mark.parametrize(
    "vector", VECTORS["vectors"], ids=lambda vector: vector["input"][:40]
)
def test_redaction_vector_gives_expected_output(vector):
    redactor = redact_path if vector["field"] == "path" else redact
    counts = {}

    assert redactor(vector["input"], counts) == vector["expected"]
    assert counts == vector["counts"]


@given(st.text())
def test_redact_twice_changes_nothing_more(text):
    once = redact(text)
    counts = {}

    assert redact(once, counts) == once
    assert counts == {}


@given(st.emails())
def test_redact_removes_any_email(address):
    assert address not in redact(f"Reset {address} now")


@given(st.text())
def test_redact_keeps_text_without_findings_as_written(text):
    counts = {}
    redacted = redact(text, counts)

    assert redacted == text or counts


@given(st.emails(), st.sampled_from(["\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff"]))
def test_redact_removes_an_email_split_by_a_format_character(address, mark):
    split = mark.join(address)
    counts = {}

    assert redact(f"Reset {split} now", counts) == "Reset [email] now"
    assert counts == {"email": 1}


def _luhn_complete(digits):
    """Return ``digits`` with the check digit that makes it pass Luhn."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return digits + str((10 - total % 10) % 10)


@given(
    st.from_regex(r"[3-6][0-9]{14}", fullmatch=True),
    st.sampled_from(["", " ", "-", ".", "\u00a0", "\u2009", "\u3000", "\u200b"]),
    st.sampled_from(["0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"]),
)
def test_redact_removes_any_luhn_valid_card(prefix, separator, digits):
    number = _luhn_complete(prefix).translate(str.maketrans("0123456789", digits))
    written = separator.join(number[i : i + 4] for i in range(0, 16, 4))
    counts = {}

    assert redact(f"Paid with {written} today", counts) == "Paid with [card] today"
    assert counts == {"card": 1}


@given(st.from_regex(r"(INC|RITM|CHG|PRB|KB|SCTASK)[0-9]{7}", fullmatch=True))
def test_redact_keeps_ticket_numbers(ticket):
    text = f"Update {ticket} and Order #{ticket[-5:]} for SD-{ticket[-3:]}"

    assert redact(text) == text


def _redact_without_trigger(text):
    counts = {}
    for rule, _needed, pattern, replace in redaction._SUBSTITUTIONS:
        text = redaction._apply(rule, pattern, replace, text, counts)
    return text, counts


@given(
    st.one_of(
        st.text(alphabet="0123456789 +().-", max_size=40),
        st.text(alphabet="0123456789 +().-@:/_aeyJAKISZbr#?w", max_size=60),
    )
)
@example("+33 1 23 45 67 89")
@example("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1")
@example("sk_live_abcdefghij")
def test_redact_trigger_changes_no_result(text):
    counts = {}

    assert (redact(text, counts), counts) == _redact_without_trigger(text)


@given(st.text(alphabet="hwtps:/.?#[]query x", max_size=60))
@example("http://http://http://a b www.www.c?d")
@example("x:https://a.example/p?[query]#f www.b?c")
def test_redact_query_sweep_matches_the_pattern(text):
    def mark(match):
        return match["url"] + "?[query]"

    assert redaction._URL_QUERIES.sub(mark, text) == redaction._URL_QUERY.sub(
        mark, text
    )
