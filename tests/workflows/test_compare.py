"""Comparing two versions step by step, by hand-worked cases."""

from apps.workflows.compare import compare_steps


def _steps(*texts, phase="log"):
    return [{"text": text, "phase": phase} for text in texts]


def _changes(rows):
    return [
        (row.change, row.older_number, row.newer_number, row.older_text, row.newer_text)
        for row in rows
    ]


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
    newer = _steps("Open the queue", "Create the ticket", "Close")

    assert _changes(compare_steps(older, newer)) == [
        ("same", 1, 1, "Open the queue", "Open the queue"),
        ("changed", 2, 2, "Create a record", "Create the ticket"),
        ("removed", 3, None, "Save", ""),
        ("same", 4, 3, "Close", "Close"),
    ]


def test_a_step_moved_to_another_phase_counts_as_changed():
    older = _steps("Open the queue") + _steps("Look at the dashboard")
    newer = _steps("Open the queue") + _steps("Look at the dashboard", phase="triage")

    rows = compare_steps(older, newer)

    assert [row.change for row in rows] == ["same", "changed"]
    assert rows[1].phase == "triage"
