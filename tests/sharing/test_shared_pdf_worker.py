"""The shared PDF made by a real Celery worker on Redis, as in production."""

import threading
import time
from http import HTTPStatus

import pytest
from django.db import connections
from django.test import Client

from apps.sharing import services
from apps.sharing.models import SharedPdf
from apps.workflows.models import State
from tests import factories
from tests.sharing.helpers import pdf_text, version_next, workflow_built, workflow_in

pytestmark = pytest.mark.worker

OWNER = "Dana Wright"


@pytest.fixture
def enqueued(monkeypatch):
    """Count the builds enqueued, and send each to the worker as usual."""
    sent = []
    real = services.task_enqueue

    def enqueue(task, args, **options):
        sent.append(tuple(args))
        real(task, args, **options)

    monkeypatch.setattr(services, "task_enqueue", enqueue)
    return sent


def _organization(name):
    organization, owner = factories.organization_with_owner(name=name)
    return organization, organization.memberships.get(user=owner)


def _link(membership, workflow, **options):
    return services.share_link_create(
        membership=membership, workflow=workflow, **options
    )


def _downloaded(client, raw, timeout=120):
    """Ask for the PDF and follow its progress page until it downloads."""
    response = client.get(f"/s/{raw}/pdf/")
    deadline = time.monotonic() + timeout
    while response.status_code == HTTPStatus.FOUND and time.monotonic() < deadline:
        progress = client.get(f"/s/{raw}/pdf/progress/")
        assert progress.status_code == HTTPStatus.OK
        if b"The PDF is ready" in progress.content:
            return client.get(f"/s/{raw}/pdf/")
        time.sleep(0.3)
    return response


def test_worker_makes_the_pdf_and_a_revoked_link_stops_serving_it(
    transactional_db, celery_worker, tmp_path, enqueued
):
    organization, membership = _organization("Worker Share Org")
    link, raw = _link(membership, workflow_in(organization))
    client = Client()

    response = _downloaded(client, raw)
    services.share_link_revoke(membership=membership, link=link)
    after = client.get(f"/s/{raw}/pdf/")

    assert response.status_code == HTTPStatus.OK
    assert "Berlin office lost network access" in pdf_text(response.content, tmp_path)
    assert SharedPdf.objects.get().state == State.READY
    assert after.status_code == HTTPStatus.NOT_FOUND
    assert b"%PDF" not in after.content
    assert len(enqueued) == 1


def test_worker_makes_a_new_versions_pdf_instead_of_the_old(
    transactional_db, celery_worker, tmp_path, enqueued
):
    organization, membership = _organization("Worker Version Org")
    workflow = workflow_in(organization)
    _link_row, raw = _link(membership, workflow)
    client = Client()
    first = _downloaded(client, raw)

    version_next(workflow, title="Restore the core switch")
    asked = client.get(f"/s/{raw}/pdf/")
    second = _downloaded(client, raw)

    assert asked.status_code == HTTPStatus.FOUND
    assert "Restore the core switch" not in pdf_text(first.content, tmp_path)
    assert "Restore the core switch" in pdf_text(second.content, tmp_path)
    assert len(enqueued) == 2


def test_worker_builds_once_for_visitors_at_the_same_moment(
    transactional_db, celery_worker, enqueued
):
    organization, membership = _organization("Worker Crowd Org")
    _link_row, raw = _link(membership, workflow_in(organization))
    start = threading.Barrier(5)
    answers = []

    def visit():
        start.wait()
        try:
            answers.append(Client().get(f"/s/{raw}/pdf/").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _visit in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    response = _downloaded(Client(), raw)

    assert answers == [HTTPStatus.FOUND] * 5
    assert response.status_code == HTTPStatus.OK
    assert len(enqueued) == 1
    assert SharedPdf.objects.count() == 1


def test_worker_never_gives_hidden_names_the_pdf_with_names_shown(
    transactional_db, celery_worker, tmp_path, enqueued
):
    organization, membership = _organization("Worker Names Org")
    workflow = workflow_built(organization)
    _shown, shown_raw = _link(membership, workflow, show_names=True)
    _hidden, hidden_raw = _link(membership, workflow)
    client = Client()

    shown = pdf_text(_downloaded(client, shown_raw).content, tmp_path)
    hidden = pdf_text(_downloaded(client, hidden_raw).content, tmp_path)

    assert f"in the recording: {OWNER}" in shown
    assert OWNER not in hidden and "in the recording: Assignee A" in hidden
    assert len(enqueued) == 2
