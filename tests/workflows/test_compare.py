"""Comparing two versions step by step, by hand-worked cases."""

import pytest

from apps.workflows.compare import change_counts, compare_steps


def _steps(*texts, phase="log"):
    return [_step(text, phase=phase) for text in texts]


def _step(text, *, phase="log", ref=None):
    return {"ref": ref or text, "text": text, "phase": phase}


def _changes(rows):
    return [
        (row.change, row.older_number, row.newer_number, row.older_text, row.newer_text)
        for row in rows
    ]


def _moves(rows):
    return [(row.change, row.newer_text or row.older_text) for row in rows]


def test_one_inserted_step_is_one_added_row_and_the_rest_stay_the_same():
    older = _steps("Open the queue", "Create the ticket", "Set Priority to 2")
    newer = _steps(
        "Open the queue", "Call the caller", "Create the ticket", "Set Priority to 2"
    )

    assert _changes(compare_steps(older, newer)) == [
        ("same", 1, 1, "Open the queue", "Open the queue"),
        ("added", None, 2, "", "Call the caller"),
        ("same", 2, 3, "Create the ticket", "Create the ticket"),
        ("same", 3, 4, "Set Priority to 2", "Set Priority to 2"),
    ]


def test_a_reworded_step_is_changed_and_a_deleted_one_removed():
    older = _steps("Open the queue", "Create a record", "Save", "Close")
    newer = _steps("Open the queue", "Close")
    newer.insert(1, _step("Create the ticket", ref="Create a record"))

    assert _changes(compare_steps(older, newer)) == [
        ("same", 1, 1, "Open the queue", "Open the queue"),
        ("changed", 2, 2, "Create a record", "Create the ticket"),
        ("removed", 3, None, "Save", ""),
        ("same", 4, 3, "Close", "Close"),
    ]


def test_a_step_moved_to_another_phase_is_moved_with_both_phases():
    older = _steps("Open the queue") + _steps("Look at the dashboard")
    newer = _steps("Open the queue") + _steps("Look at the dashboard", phase="triage")

    rows = compare_steps(older, newer)

    assert [row.change for row in rows] == ["same", "moved"]
    assert (rows[1].older_phase, rows[1].phase) == ("log", "triage")
    assert rows[1].phase_changed


def test_two_swapped_steps_are_both_moved_not_removed_and_added():
    older = _steps("Open the queue", "Open the incident", "Set Priority to 2")
    newer = _steps("Open the queue", "Set Priority to 2", "Open the incident")

    rows = compare_steps(older, newer)

    assert _changes(rows) == [
        ("same", 1, 1, "Open the queue", "Open the queue"),
        ("moved", 3, 2, "Set Priority to 2", "Set Priority to 2"),
        ("moved", 2, 3, "Open the incident", "Open the incident"),
    ]
    assert not any(row.phase_changed for row in rows)


# Each case: the older order, the newer one, and each newer step's change.
REORDERS = [
    pytest.param(
        "Open Look Call Note Save Close",
        "Open Save Call Note Look Close",
        "same moved same same moved same",
        id="swap-far-apart-keeps-the-steps-between",
    ),
    pytest.param(
        "Open Look Call Save Close",
        "Look Call Save Close Open",
        "same same same same moved",
        id="move-to-the-end-moves-one",
    ),
    pytest.param(
        "Open Look Call Save Close",
        "Close Open Look Call Save",
        "moved same same same same",
        id="move-to-the-start-moves-one",
    ),
    pytest.param(
        "Open Look Call Note Save Close",
        "Close Open Call Look Note Save",
        "moved same moved moved same same",
        id="swap-beside-a-long-move-shows-both-swapped",
    ),
    pytest.param(
        "Open Look Close",
        "Close Look Open",
        "moved same moved",
        id="three-reversed-keep-the-middle",
    ),
    pytest.param(
        "Open Save Save",
        "Save Open Save",
        "moved moved same",
        id="a-ref-twice-matches-once-each",
    ),
]


@pytest.mark.parametrize(("older", "newer", "changes"), REORDERS)
def test_a_reorder_shows_moved_the_steps_a_reader_sees_moved(older, newer, changes):
    rows = compare_steps(_steps(*older.split()), _steps(*newer.split()))

    assert _moves(rows) == list(zip(changes.split(), newer.split(), strict=True))


def test_several_moves_mark_each_moved_step_once():
    older = _steps("Open", "Look", "Call", "Note", "Save", "Close", "Wait")
    newer = _steps("Look", "Open", "Call", "Close", "Note", "Save", "Wait")
    newer.insert(3, _step("Page the team"))

    assert _moves(compare_steps(older, newer)) == [
        ("moved", "Look"),
        ("moved", "Open"),
        ("same", "Call"),
        ("added", "Page the team"),
        ("moved", "Close"),
        ("same", "Note"),
        ("same", "Save"),
        ("same", "Wait"),
    ]


def test_the_same_versions_always_compare_the_same():
    older = _steps(*(f"Step {number}" for number in range(40)))
    newer = older[::-1][:20] + older[20:][::3] + _steps("New")

    first = compare_steps(older, newer)

    assert all(compare_steps(older, newer) == first for _ in range(3))
    assert {"added", "moved", "removed"} <= {row.change for row in first}


def test_a_long_sop_reversed_compares_quickly_with_every_step_once():
    older = _steps(*(f"Step {number}" for number in range(5000)))

    rows = compare_steps(older, older[::-1])

    assert len(rows) == 5000
    assert [row.change for row in rows].count("same") == 1


def test_a_moved_and_reworded_step_is_moved_and_shows_both_texts():
    older = _steps("Open the queue", "Create a record", "Close")
    newer = [_step("Create the ticket", ref="Create a record")] + _steps(
        "Open the queue", "Close"
    )

    rows = compare_steps(older, newer)

    assert _changes(rows) == [
        ("moved", 2, 1, "Create a record", "Create the ticket"),
        ("moved", 1, 2, "Open the queue", "Open the queue"),
        ("same", 3, 3, "Close", "Close"),
    ]
    assert [row.reworded for row in rows] == [True, False, False]


def test_only_a_step_of_one_version_alone_is_added_or_removed():
    older = _steps("Open the queue", "Save", "Close")
    newer = _steps("Close", "Open the queue", "Call the caller")

    changes = sorted(row.change for row in compare_steps(older, newer))

    assert changes == ["added", "moved", "moved", "removed"]


def test_change_counts_name_each_change_once_in_a_fixed_order():
    older = _steps("Open", "Look", "Save", "Close")
    newer = _steps("Look", "Open", "Call", "Close")

    counts = change_counts(compare_steps(older, newer))

    assert counts == [("added", 1), ("removed", 1), ("moved", 2)]
    assert change_counts(compare_steps(older, older)) == []
