"""Any split, order and repetition of the same events stores the same recording."""

import random
from http import HTTPStatus

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.recordings.models import RawBatch, Recording
from apps.recordings.selectors import recording_document
from tests.recordings.helpers import create, event, events, finish, send

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
EVENT_TYPES = st.sampled_from(
    ["navigation", "click", "field_edited", "choice_made", "note_added"]
)


@st.composite
def recordings(draw):
    """Return events 1..n with drawn content and a plan to deliver them."""
    count = draw(st.integers(min_value=1, max_value=40))
    content = [
        event(
            seq,
            type=draw(EVENT_TYPES),
            name=draw(TEXT),
            label=draw(TEXT),
            title=draw(TEXT),
            tab=draw(st.integers(min_value=0, max_value=5)),
        )
        for seq in range(1, count + 1)
    ]
    cuts = []
    if count > 1:
        cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=count - 1))))
    bounds = [0, *cuts, count]
    batches = [content[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    repeats = draw(st.lists(st.sampled_from(range(len(batches))), max_size=5))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    plan = [*batches, *(batches[i] for i in repeats)]
    random.Random(seed).shuffle(plan)
    return content, plan


def _stored_document(recording_id):
    recording = Recording.objects.get(pk=recording_id)
    document = recording_document(recording=recording, corrected=False)
    document.id = ""
    return document


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(recordings())
def test_append_any_split_order_and_repetition_stores_the_same(api_client, drawn):
    content, plan = drawn
    reference = create(api_client)
    assert send(api_client, reference, content).status_code == HTTPStatus.OK

    recording_id = create(api_client)
    for batch in plan:
        assert send(api_client, recording_id, batch).status_code == HTTPStatus.OK

    assert _stored_document(recording_id) == _stored_document(reference)
    assert Recording.objects.get(pk=recording_id).event_count == len(content)


def test_shuffled_repeated_batches_with_one_lost_and_resent_late_store_once(
    api_client,
):
    recording_id = create(api_client)
    batches = [events(first, first + 49) for first in range(1, 500, 50)]
    lost = batches[6]
    delivered = batches[:6] + batches[7:]
    delivered += [batches[1], batches[8], batches[1]]
    random.Random(20260101).shuffle(delivered)

    answers = [send(api_client, recording_id, batch) for batch in delivered]
    refused = finish(api_client, recording_id, last_seq=500)
    late = send(api_client, recording_id, lost)
    finished = finish(api_client, recording_id, last_seq=500)

    assert {answer.status_code for answer in answers} == {HTTPStatus.OK}
    assert answers[-1].json()["missing"] == [[301, 350]]
    assert refused.status_code == HTTPStatus.CONFLICT
    assert refused.json()["error"]["missing"] == [[301, 350]]
    assert late.json()["missing"] == []
    assert finished.status_code == HTTPStatus.OK
    assert finished.json()["event_count"] == 500
    assert finished.json()["final_gaps"] == []
    document = _stored_document(recording_id)
    assert [e.seq for e in document.events] == list(range(1, 501))
    assert [e.name for e in document.events] == [f"Button {n}" for n in range(1, 501)]
    assert not RawBatch.objects.exists()
