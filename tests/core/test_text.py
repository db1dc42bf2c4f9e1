import pytest

from apps.core.text import text_clean
from apps.recordings import validation


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain words", "plain words"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("windows\r\nline\rends", "windows\nline\nends"),
        ("nul\x00bell\x07escape\x1bdel\x7f", "nulbellescapedel"),
        ("c1\x85\x9fend", "c1end"),
        ("xml\ufffe\uffffbad\ud800", "xmlbad"),
        ("bidi\u202eoverride\u2066isolate\u2069", "bidioverrideisolate"),
        ("marks \u200e\u200f stay", "marks \u200e\u200f stay"),
        ("accents é ü and ‚quotes‘ stay", "accents é ü and ‚quotes‘ stay"),
    ],
)
def test_text_clean(raw, clean):
    assert text_clean(raw) == clean


def test_recordings_and_imports_clean_text_alike():
    raw = "a\r\nb\x00c\x85d\ufffe"
    assert validation.clean_text(raw, {}) == text_clean(raw) == "a\nbcd"
