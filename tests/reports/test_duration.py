"""How a duration reads: rounded to the smallest unit it shows."""

import pytest

from apps.reports.duration import format_duration, whole_seconds

SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


@pytest.mark.parametrize(
    ("ms", "words"),
    [
        (None, "–"),
        (-5 * SECOND, "0 s"),
        (400, "0 s"),
        (59 * SECOND + 400, "59 s"),
        (59 * SECOND + 600, "1 min"),
        (12 * MINUTE + 24 * SECOND, "12 min 24 s"),
        (59 * MINUTE + 59 * SECOND + 400, "59 min 59 s"),
        (59 * MINUTE + 59 * SECOND + 600, "1 h"),
        (HOUR + 29 * SECOND, "1 h"),
        (HOUR + 30 * SECOND, "1 h 1 min"),
        (89 * MINUTE + 57 * SECOND, "1 h 30 min"),
        (2 * HOUR - 20 * SECOND, "2 h"),
        (23 * HOUR + 59 * MINUTE + 20 * SECOND, "23 h 59 min"),
        (23 * HOUR + 59 * MINUTE + 40 * SECOND, "1 d"),
        (26 * HOUR + 29 * MINUTE, "1 d 2 h"),
        (26 * HOUR + 47 * MINUTE, "1 d 3 h"),
        (46 * HOUR + 2 * MINUTE + 10 * SECOND, "1 d 22 h"),
        (47 * HOUR + 29 * MINUTE, "1 d 23 h"),
        (47 * HOUR + 30 * MINUTE, "2 d"),
        (50 * HOUR + 29 * MINUTE, "2 d 2 h"),
        (50 * HOUR + 30 * MINUTE, "2 d 3 h"),
        (71 * HOUR + 45 * MINUTE, "3 d"),
    ],
)
def test_format_duration_rounds_to_the_smallest_unit_shown(ms, words):
    assert format_duration(ms) == words


def test_format_duration_carries_into_the_larger_unit():
    # Rounded up to a whole unit, a duration never reads "60 s", "1 h 60 min",
    # "24 h" or "2 d 24 h": the carry goes into the larger unit. So a column
    # of durations reads alike: whatever takes a day or more is in days, as
    # "26 h 47 min" next to "2 d 2 h" would not be.
    first = {"s": 60, "min": 60, "h": 24, "d": 10_000}
    second = {"s": 60, "min": 60, "h": 24}
    for ms in range(0, 4 * 24 * HOUR, 7_919):
        words = format_duration(ms).split()
        assert int(words[0]) < first[words[1]], ms
        if len(words) == 4:
            assert 0 < int(words[2]) < second[words[3]], ms


def test_whole_seconds_add_up_to_a_total_shown_past_an_hour_within_its_unit():
    parts = [45 * MINUTE + 20 * SECOND, 44 * MINUTE + 37 * SECOND]

    shown = whole_seconds(parts)

    # 45 min 20 s and 44 min 37 s are 89 min 57 s: shown to the minute.
    assert [format_duration(ms) for ms in shown] == ["45 min 20 s", "44 min 37 s"]
    assert format_duration(sum(shown)) == "1 h 30 min"
    assert abs(sum(shown) - 90 * MINUTE) <= 30 * SECOND
