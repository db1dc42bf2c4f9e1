"""A workflow's state from its runs' builds, and what trying again builds.

Pure: the shell reads each run's build as it stands, asks here, and stores
the answer. A state is one of ``models.State``'s values.
"""

from dataclasses import dataclass

QUEUED = "queued"
RUNNING = "running"
READY = "ready"
FAILED = "failed"
BUSY = (QUEUED, RUNNING)


@dataclass(frozen=True, slots=True)
class Build:
    """One run's build as it stands."""

    run_id: int
    state: str
    reference: bool = False


def workflow_state(builds, *, has_version):
    """Return the workflow's state once a build of one of its runs has ended.

    A build still running or queued keeps the workflow busy. Then a failed
    build fails the workflow, and so does having no version: a workflow is
    ready only with an SOP to show.
    """
    states = {build.state for build in builds}
    if RUNNING in states:
        return RUNNING
    if QUEUED in states:
        return QUEUED
    if FAILED in states or not has_version:
        return FAILED
    return READY


def failed_builds(builds):
    """Return the failed builds, the reference run's first."""
    return sorted(
        (build for build in builds if build.state == FAILED),
        key=lambda build: not build.reference,
    )


def builds_to_retry(builds, *, has_version):
    """Return the builds trying again starts, the reference run's first.

    Each failed build, and the reference run's while the workflow has no
    version, since only that build makes one. A workflow failed with no
    failed build, as when its new reference was refused the quota, builds
    its reference again.
    """
    retried = [
        build
        for build in builds
        if build.state == FAILED or (build.reference and not has_version)
    ]
    if not retried:
        retried = [build for build in builds if build.reference]
    return sorted(retried, key=lambda build: not build.reference)


def takes_reference(reference_state, *, has_version):
    """Say whether a run added to a workflow becomes its reference run.

    ``reference_state`` is the state of the reference run's build, or None
    without a reference. A workflow with a version keeps its reference. One
    without takes the new run, unless its reference is still being built
    and may yet make the first version.
    """
    if has_version:
        return False
    return reference_state not in BUSY
