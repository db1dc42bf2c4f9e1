import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
