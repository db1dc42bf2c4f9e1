"""A refused edit's typed text goes back to its own workflow's page only."""

import uuid
from http import HTTPStatus

import msgspec

from apps.workflows.edits import MAX_TEXT
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_sample, import_sample


def _workflow(organization):
    recording = msgspec.structs.replace(rf.network_outage(), id=str(uuid.uuid4()))
    return build_sample(organization, import_sample(organization, recording))


def _refused_reword(client, workflow, text):
    ref = workflow.current_version.steps[0]["ref"]
    response = client.post(
        f"/workflows/{workflow.pk}/edit/", {"op": "reword", "ref": ref, "text": text}
    )
    assert response.status_code == HTTPStatus.FOUND
    return response


def test_an_edit_draft_stays_with_its_workflow(organization, owner_client):
    first, second = _workflow(organization), _workflow(organization)
    typed = "x" * (MAX_TEXT + 1)
    _refused_reword(owner_client, first, typed)

    other = owner_client.get(second.get_absolute_url()).content.decode()
    own = owner_client.get(first.get_absolute_url()).content.decode()
    again = owner_client.get(first.get_absolute_url()).content.decode()

    assert typed not in other and 'aria-invalid="true"' not in other
    assert typed in own and f"longer than {MAX_TEXT} characters" in own
    assert typed not in again


def test_two_workflows_keep_their_own_drafts(organization, owner_client):
    first, second = _workflow(organization), _workflow(organization)
    _refused_reword(owner_client, first, "a" * (MAX_TEXT + 1))
    _refused_reword(owner_client, second, "b" * (MAX_TEXT + 2))

    first_page = owner_client.get(first.get_absolute_url()).content.decode()
    second_page = owner_client.get(second.get_absolute_url()).content.decode()

    assert "a" * (MAX_TEXT + 1) in first_page and "b" * 50 not in first_page
    assert "b" * (MAX_TEXT + 2) in second_page and "a" * 50 not in second_page
