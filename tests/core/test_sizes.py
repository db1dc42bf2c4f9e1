"""Sizes read in binary units named as such, with the exact bytes beside."""

import pytest

from apps.core.sizes import size_exact, size_text

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 byte"),
        (1023, "1,023 bytes"),
        (1024, "1 KiB"),
        (10_000, "9.8 KiB"),
        (MIB, "1 MiB"),
        (32 * MIB, "32 MiB"),
        (34_600_000, "33.0 MiB"),
        (64 * MIB, "64 MiB"),
        (3 * 1024 * MIB, "3 GiB"),
    ],
)
def test_size_text_names_its_binary_unit(size, text):
    assert size_text(size) == text


def test_size_exact_gives_the_bytes_beside_the_unit():
    assert size_exact(34_600_000) == "33.0 MiB (34,600,000 bytes)"
    assert size_exact(32 * MIB) == "32 MiB (33,554,432 bytes)"


def test_size_exact_of_a_few_bytes_says_them_once():
    assert size_exact(100) == "100 bytes"
