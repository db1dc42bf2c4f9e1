"""What regenerating a workflow tells the editor, whenever the build ends."""

from http import HTTPStatus

import pytest
from celery import current_app
from django.test import override_settings

from apps.accounts.people import display_name
from apps.workflows import services
from tests import factories
from tests.web.html import CELL
from tests.workflows.conftest import import_sample


def _messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_regenerate_says_the_page_shows_the_progress_while_queued(client):
    workflow, owner = _workflow()
    client.force_login(owner)

    response = client.post(f"/workflows/{workflow.pk}/regenerate/", follow=True)

    assert response.status_code == HTTPStatus.OK
    assert _messages(response) == ["Generating again; this page shows the progress."]
    assert "<progress" in response.content.decode()


def _workflow():
    organization, owner = factories.organization_with_owner(name="Regenerate IT")
    with override_settings(WORKFLOWS_GENERATE_ON_FINISH=False):
        recording = import_sample(organization, user=owner)
    workflow = services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    return workflow, owner


@pytest.fixture
def eager_tasks():
    """Run tasks inside the request, as with no broker outside local settings."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_regenerate_says_it_is_done_when_the_build_ran_in_the_request(
    client, eager_tasks
):
    workflow, owner = _workflow()
    client.force_login(owner)

    response = client.post(f"/workflows/{workflow.pk}/regenerate/", follow=True)

    assert _messages(response) == ["Generated again: this is the new version."]
    assert "<progress" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_versions_list_names_who_generated_again(client, eager_tasks):
    workflow, owner = _workflow()
    client.force_login(owner)
    client.post(f"/workflows/{workflow.pk}/regenerate/")
    client.post(f"/workflows/{workflow.pk}/regenerate/")

    page = client.get(f"/workflows/{workflow.pk}/versions/").content.decode()

    assert f"<td>Generated again</td><td{CELL}>{display_name(owner)}</td>" in page
    assert f"<td>Generated</td><td{CELL}>{display_name(owner)}</td>" in page
    assert owner.email not in page
