"""Missing seq ranges, less what the client declared final or dropped."""

from http import HTTPStatus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.recordings import format
from apps.recordings.selectors import subtract_ranges
from tests.recordings.helpers import create, event, finish, send

SEQ = st.integers(min_value=1, max_value=60)
RANGE = st.tuples(SEQ, SEQ).map(sorted)


def _seqs(ranges):
    return {seq for first, last in ranges for seq in range(first, last + 1)}


@given(st.lists(RANGE, max_size=6), st.lists(RANGE, max_size=6), st.lists(SEQ))
def test_subtract_ranges_leaves_what_is_not_known(gaps, known_ranges, known_seqs):
    disjoint = sorted(_seqs(gaps))
    gaps = [[seq, seq] for seq in disjoint]

    result = subtract_ranges(gaps, known_ranges, known_seqs)

    assert _seqs(result) == _seqs(gaps) - _seqs(known_ranges) - set(known_seqs)
    assert result == sorted(result)
    assert all(first <= last for first, last in result)


def test_subtract_ranges_keeps_disjoint_gaps_apart():
    result = subtract_ranges([[1, 10], [20, 30]], [[5, 6]], [1, 25, 26, 30])

    assert result == [[2, 4], [7, 10], [20, 24], [27, 29]]


@pytest.mark.django_db
def test_finish_refuses_too_many_dropped_seqs(api_client):
    recording_id = create(api_client)
    send(api_client, recording_id, [event(1)])
    dropped = list(range(2, format.MAX_DROPPED + 3))

    response = finish(api_client, recording_id, dropped=dropped, gaps_final=True)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["field"] == "dropped"
