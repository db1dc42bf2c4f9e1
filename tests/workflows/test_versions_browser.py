"""The versions list and a comparison in Chromium: wording, marks, axe, width."""

import pytest

from apps.workflows import selectors, services
from tests import factories
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import axe, log_in, shoot
from tests.workflows.conftest import build_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = browser_fixtures.browser
context = browser_fixtures.context
page = browser_fixtures.page


def _edited_and_restored(context, live_server):
    """Swap two steps, reword one, delete one, then restore version 1."""
    organization, owner = factories.organization_with_owner(name="Acme IT")
    workflow = build_sample(organization, enqueue=False)
    membership = organization.memberships.get(user=owner)
    steps = workflow.current_version.steps
    for edit in (
        {"op": "reorder", "ref": steps[1]["ref"], "after": steps[2]["ref"]},
        {"op": "reword", "ref": steps[4]["ref"], "text": "Look again"},
        {"op": "delete", "ref": steps[5]["ref"]},
    ):
        services.workflow_edit(membership=membership, workflow=workflow, edit=edit)
    services.workflow_restore(
        membership=membership,
        workflow=workflow,
        version=selectors.version_get(workflow=workflow, number=1),
    )
    log_in(context, owner, live_server)
    return workflow


def test_versions_and_compare_read_clearly_and_pass_axe(context, page, live_server):
    workflow = _edited_and_restored(context, live_server)

    page.goto(f"/workflows/{workflow.pk}/versions/")
    restored = page.locator("tbody tr").first.inner_text()
    versions_violations = axe(page)
    versions_overflow = shoot(page, "workflow-versions")
    page.goto(f"/workflows/{workflow.pk}/compare/?a=1&b=4")
    moved = page.locator("tr.compare-moved td.change")
    style = moved.first.evaluate(
        "cell => [getComputedStyle(cell).backgroundColor,"
        " getComputedStyle(cell).boxShadow]"
    )
    compare_violations = axe(page)
    compare_overflow = shoot(page, "workflow-compare")

    assert "Restored version 1" in restored
    assert versions_violations == []
    assert versions_overflow <= 0
    assert moved.all_inner_texts() == ["⇅Moved from 3 to 2", "⇅Moved from 2 to 3"]
    assert style[0] == "rgb(230, 237, 251)"
    assert "inset" in style[1]
    assert compare_violations == []
    assert compare_overflow <= 0
    assert page.console_errors == []
