"""The versions list: what each edit did, comparing, and restoring."""

import importlib
import re
from http import HTTPStatus

from django.apps import apps as django_apps
from django.test import Client
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime

from apps.workflows import services
from apps.workflows.models import SopVersion, Workflow
from tests import factories


def _steps(workflow):
    workflow.refresh_from_db()
    return workflow.current_version.steps


def _edit(client, workflow, **edit):
    response = client.post(f"/workflows/{workflow.pk}/edit/", edit)
    assert response.status_code == HTTPStatus.FOUND
    return _steps(workflow)


def _versions_page(client, workflow):
    return client.get(f"/workflows/{workflow.pk}/versions/").content.decode()


def _change(page, number):
    match = re.search(rf"<tr><td>{number}</td><td>([^<]*)</td>", page)
    return match and match.group(1)


def test_versions_list_names_a_moved_down_step_by_its_number_before(
    owner_client, workflow
):
    steps = _steps(workflow)

    _edit(
        owner_client,
        workflow,
        op="reorder",
        ref=steps[1]["ref"],
        after=steps[2]["ref"],
    )

    shown = Truncator(steps[1]["text"]).chars(40)
    change = _change(_versions_page(owner_client, workflow), 2)
    assert change == f"Edited: moved step 2 “{shown}” down"


def test_versions_list_names_a_step_moved_up_and_to_a_phase(owner_client, workflow):
    steps = _steps(workflow)
    owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": steps[3]["ref"], "text": "Open the list"},
    )
    _edit(owner_client, workflow, op="move_phase", ref=steps[3]["ref"], phase="triage")
    moved = _steps(workflow)
    number = [step["ref"] for step in moved].index(steps[3]["ref"])
    _edit(
        owner_client,
        workflow,
        op="reorder",
        ref=steps[3]["ref"],
        after=moved[number - 2]["ref"] if number > 1 else "",
    )

    page = _versions_page(owner_client, workflow)

    shown = Truncator(steps[3]["text"]).chars(40)
    assert _change(page, 2) == f"Edited: reworded step 4 “{shown}”"
    assert _change(page, 3) == "Edited: moved step 4 “Open the list” to Triage"
    assert _change(page, 4) == f"Edited: moved step {number + 1} “Open the list” up"


def test_versions_list_names_a_deleted_step_and_shortens_long_text(
    owner_client, workflow
):
    steps = _steps(workflow)
    long_text = "Check " + "every linked alert " * 5
    owner_client.post(
        f"/workflows/{workflow.pk}/edit/",
        {"op": "reword", "ref": steps[2]["ref"], "text": long_text},
    )

    _edit(owner_client, workflow, op="delete", ref=steps[2]["ref"])

    change = _change(_versions_page(owner_client, workflow), 3)
    assert change == f"Edited: deleted step 3 “{long_text[:39].rstrip()}…”"


def test_compare_shows_both_swapped_steps_as_moved_not_removed_and_added(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(
        owner_client, workflow, op="reorder", ref=steps[1]["ref"], after=steps[2]["ref"]
    )

    page = owner_client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=2").content
    page = page.decode()

    assert page.count('<tr class="compare-moved">') == 2
    assert "Moved from 2 to 3" in page
    assert "Moved from 3 to 2" in page
    assert 'class="compare-removed"' not in page
    assert 'class="compare-added"' not in page


def test_compare_shows_a_phase_move_with_both_phases(owner_client, workflow):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="move_phase", ref=steps[3]["ref"], phase="triage")

    page = owner_client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=2").content
    page = page.decode()

    assert page.count('<tr class="compare-moved">') == 1
    assert f"{_phase_title(steps[3])} → Triage" in page
    assert re.search(r"Moved (from \d+ to \d+|to another phase)</td>", page)
    assert "Moved from 4 to 4" not in page
    assert 'class="compare-removed"' not in page


def _phase_title(step):
    return step["phase"].capitalize()


def test_restore_asks_first_then_makes_the_old_steps_a_new_version(
    owner_client, workflow
):
    original = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=original[0]["ref"])
    url = f"/workflows/{workflow.pk}/versions/1/restore/"

    asked = owner_client.post(url)
    restored = owner_client.post(url, {"confirmed": "yes"})

    assert asked.status_code == HTTPStatus.OK
    assert "Restore version 1?" in asked.content.decode()
    assert restored.status_code == HTTPStatus.FOUND
    assert restored["Location"] == f"/workflows/{workflow.pk}/versions/"
    version = workflow.versions.get(number=3)
    workflow.refresh_from_db()
    assert workflow.current_version_id == version.pk
    assert version.steps == original
    assert version.reason == SopVersion.Reason.RESTORED
    assert version.get_reason_display() == "Restored"
    assert workflow.edits == []
    page = _versions_page(owner_client, workflow)
    assert _change(page, 3) == "Restored version 1"
    assert page.count("Restore this version") == 2
    assert 'name="csrfmiddlewaretoken"' in page


def test_restore_keeps_the_restored_steps_when_generated_again(
    owner, owner_client, workflow
):
    original = _steps(workflow)
    _edit(owner_client, workflow, op="reword", ref=original[1]["ref"], text="Look")
    reworded = _edit(owner_client, workflow, op="delete", ref=original[0]["ref"])
    owner_client.post(
        f"/workflows/{workflow.pk}/versions/2/restore/", {"confirmed": "yes"}
    )
    membership = owner.memberships.get(organization=workflow.organization)

    run = services.workflow_regenerate(membership=membership, workflow=workflow)
    services.run_build(run=run, generation=run.generation)

    regenerated = _steps(workflow)
    texts = [step["text"] for step in regenerated]
    assert workflow.current_version.number == 5
    assert workflow.edits == workflow.versions.get(number=2).edits
    assert texts == [step["text"] for step in workflow.versions.get(number=2).steps]
    assert texts != [step["text"] for step in reworded]
    assert texts[1] == "Look"


def test_restore_refused_for_a_viewer(client, organization, workflow):
    viewer = factories.member_add(organization=organization, role="viewer")
    client.force_login(viewer)

    page = client.get(f"/workflows/{workflow.pk}/versions/").content.decode()
    response = client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    assert "Restore this version" not in page
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SopVersion.objects.filter(workflow=workflow).count() == 1


def test_restore_refused_for_another_organization(client, workflow):
    other, other_owner = factories.organization_with_owner(name="Elsewhere IT")
    client.force_login(other_owner)

    response = client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert SopVersion.objects.filter(workflow=workflow).count() == 1


def test_restore_refused_without_the_csrf_token(owner, workflow):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SopVersion.objects.filter(workflow=workflow).count() == 1


def test_versions_list_says_who_restored_which_version_and_when(
    owner, owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=steps[0]["ref"])
    owner_client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )
    restored = workflow.versions.get(number=3)

    page = _versions_page(owner_client, workflow)

    row = re.search(r"<tr><td>3</td>(.*?)</tr>", page, re.DOTALL).group(1)
    assert "<td>Restored version 1</td>" in row
    assert "Edited" not in row
    assert restored.created_by == owner
    when = date_format(localtime(restored.created_at), "DATETIME_FORMAT")
    assert f"<td>{when}</td>" in row


def test_an_edited_version_is_not_taken_for_a_restore_by_its_key(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=steps[0]["ref"])
    # Only the reason says a version was restored; the key is not read for it.
    workflow.versions.filter(number=2).update(key="restore:2:version:1")

    change = _change(_versions_page(owner_client, workflow), 2)

    assert change.startswith("Edited: deleted step 1")


def _migration():
    return importlib.import_module(
        "apps.workflows.migrations.0003_sopversion_reason_restored"
    )


def test_migration_marks_restores_stored_as_edited_and_only_those(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=steps[0]["ref"])
    owner_client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )
    # What a restore made before it had a reason of its own stored.
    workflow.versions.filter(number=3).update(reason=SopVersion.Reason.EDITED)

    _migration().mark_restored(django_apps, None)

    reasons = dict(workflow.versions.values_list("number", "reason"))
    assert reasons == {1: "generated", 2: "edited", 3: "restored"}


def test_migration_undone_stores_restores_as_edited_again(owner_client, workflow):
    owner_client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    _migration().unmark_restored(django_apps, None)

    assert workflow.versions.get(number=2).reason == SopVersion.Reason.EDITED


def test_versions_and_compare_refused_for_another_organization(client, workflow):
    other, other_owner = factories.organization_with_owner(name="Elsewhere IT")
    client.force_login(other_owner)

    compared = client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=1")
    listed = client.get(f"/workflows/{workflow.pk}/versions/")

    assert compared.status_code == HTTPStatus.NOT_FOUND
    assert listed.status_code == HTTPStatus.NOT_FOUND


def test_compare_open_to_a_viewer_but_restore_is_not(client, organization, workflow):
    viewer = factories.member_add(organization=organization, role="viewer")
    client.force_login(viewer)

    compared = client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=1")
    restored = client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    assert compared.status_code == HTTPStatus.OK
    assert restored.status_code == HTTPStatus.FORBIDDEN


def _compare_page(client, workflow, a, b):
    response = client.get(f"/workflows/{workflow.pk}/compare/?a={a}&b={b}")
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_compare_sums_up_the_changes_and_marks_each_beyond_its_colour(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(
        owner_client, workflow, op="reorder", ref=steps[1]["ref"], after=steps[2]["ref"]
    )
    _edit(owner_client, workflow, op="reword", ref=steps[4]["ref"], text="Look again")
    _edit(owner_client, workflow, op="delete", ref=steps[5]["ref"])

    page = _compare_page(owner_client, workflow, 1, 4)

    summary = re.search(r'<ul class="compare-summary">(.*?)</ul>', page, re.DOTALL)
    assert re.findall(r"</span>(\w+: \d+)</li>", summary.group(1)) == [
        "Removed: 1",
        "Moved: 2",
        "Reworded: 1",
    ]
    moved = re.findall(
        r'<tr class="compare-moved">\s*<td class="change">'
        r'<span class="change-mark" aria-hidden="true">⇅</span>([^<]+)</td>',
        page,
    )
    assert moved == ["Moved from 3 to 2", "Moved from 2 to 3"]
    assert "in the order of version 4" in page


def test_compare_of_two_versions_with_the_same_steps_says_so(owner_client, workflow):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=steps[0]["ref"])
    owner_client.post(
        f"/workflows/{workflow.pk}/versions/1/restore/", {"confirmed": "yes"}
    )

    page = _compare_page(owner_client, workflow, 1, 3)

    assert "Both versions have the same steps, in the same order." in page
    assert 'class="compare-moved"' not in page


def test_compare_of_a_version_with_itself_asks_for_two(owner_client, workflow):
    page = _compare_page(owner_client, workflow, 1, 1)

    assert "Both sides are version 1. Choose two different versions" in page
    assert '<table class="compare">' not in page


def test_compare_the_later_version_first_says_how_it_reads_and_links_round(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="delete", ref=steps[0]["ref"])

    page = _compare_page(owner_client, workflow, 2, 1)

    assert "Version 2 is the later one" in page
    assert f'href="/workflows/{workflow.pk}/compare/?a=1&amp;b=2"' in page
    assert "</span>Added: 1</li>" in page


def test_versions_list_of_one_version_offers_no_comparison(owner_client, workflow):
    page = _versions_page(owner_client, workflow)

    assert "There is one version so far." in page
    assert 'name="a"' not in page
    assert "Current" in page


def test_compare_lists_only_the_changed_steps_until_asked_for_all(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="reword", ref=steps[1]["ref"], text="Look again")

    changed = _compare_page(owner_client, workflow, 1, 2)
    every = owner_client.get(f"/workflows/{workflow.pk}/compare/?a=1&b=2&all=1")

    assert changed.count("<tr class=") == 1
    assert '<tr class="compare-changed">' in changed
    assert 'href="?a=1&amp;b=2&amp;all=1"' in changed
    assert every.content.decode().count('<tr class="compare-same">') >= 1
    assert 'href="?a=1&amp;b=2">Show the changed steps only' in every.content.decode()


def test_compare_without_versions_compares_the_previous_with_the_current(
    owner_client, workflow
):
    steps = _steps(workflow)
    _edit(owner_client, workflow, op="reword", ref=steps[1]["ref"], text="Look again")
    _edit(owner_client, workflow, op="reword", ref=steps[1]["ref"], text="Look twice")

    response = owner_client.get(f"/workflows/{workflow.pk}/compare/")

    assert response.status_code == HTTPStatus.OK
    assert "Version 2 compared with 3" in response.content.decode()


def test_compare_of_the_only_version_says_to_choose_two(owner_client, workflow):
    response = owner_client.get(f"/workflows/{workflow.pk}/compare/")

    assert response.status_code == HTTPStatus.OK
    assert "Both sides are version 1." in response.content.decode()


def test_versions_of_a_workflow_not_built_yet_say_there_is_none(
    owner_client, organization
):
    workflow = Workflow.objects.create(organization=organization, title="Printer jam")

    response = owner_client.get(f"/workflows/{workflow.pk}/versions/")

    assert response.status_code == HTTPStatus.OK
    assert "There is no version yet" in response.content.decode()
    assert "<table" not in response.content.decode()
