import pytest

from apps.workflows.builds import (
    Build,
    builds_to_retry,
    failed_builds,
    takes_reference,
    workflow_state,
)


def _builds(*states):
    """Return one build per state, the first the reference run's."""
    return [Build(i, state, reference=i == 0) for i, state in enumerate(states)]


@pytest.mark.parametrize(
    ("states", "has_version", "expected"),
    [
        (("ready",), True, "ready"),
        (("ready", "ready"), True, "ready"),
        (("queued", "ready"), False, "queued"),
        (("failed", "running"), False, "running"),
        (("ready", "failed"), True, "failed"),
        (("failed", "ready"), True, "failed"),
        (("ready", "ready"), False, "failed"),
        ((), False, "failed"),
    ],
)
def test_workflow_state_is_ready_only_with_a_version_and_nothing_failed(
    states, has_version, expected
):
    assert workflow_state(_builds(*states), has_version=has_version) == expected


def test_failed_builds_come_the_reference_run_first():
    builds = [Build(1, "failed"), Build(2, "ready"), Build(3, "failed", True)]

    assert [build.run_id for build in failed_builds(builds)] == [3, 1]


@pytest.mark.parametrize(
    ("states", "has_version", "expected"),
    [
        (("ready", "failed"), True, [1]),
        (("failed", "ready"), False, [0]),
        (("failed", "failed", "ready"), True, [0, 1]),
        (("ready", "failed"), False, [0, 1]),
        (("ready", "ready"), False, [0]),
        (("ready", "ready"), True, [0]),
    ],
)
def test_builds_to_retry_are_what_failed_and_what_makes_a_version(
    states, has_version, expected
):
    retried = builds_to_retry(_builds(*states), has_version=has_version)

    assert [build.run_id for build in retried] == expected


@pytest.mark.parametrize(
    ("reference_state", "has_version", "expected"),
    [
        (None, False, True),
        ("failed", False, True),
        ("ready", False, True),
        ("queued", False, False),
        ("running", False, False),
        ("ready", True, False),
        ("failed", True, False),
    ],
)
def test_takes_reference_only_where_no_version_is_on_its_way(
    reference_state, has_version, expected
):
    assert takes_reference(reference_state, has_version=has_version) is expected
