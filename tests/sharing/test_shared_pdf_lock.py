"""Visitors asking for the same shared PDF at once wait for one render."""

import threading
import time
import uuid
from http import HTTPStatus

import pytest
from django.core.cache import cache

from apps.sharing import documents, services
from apps.sharing.documents import rendered_once
from tests.sharing.helpers import workflow_in


def _key():
    return f"sharing:pdf:test-{uuid.uuid4().hex}"


def _counted(calls, pdf=b"%PDF-1 test", seconds=0.5, fail=False):
    def render():
        calls.append(threading.get_ident())
        time.sleep(seconds)
        if fail:
            raise OSError("renderer gone")
        return pdf, True

    return render


def _at_once(*calls):
    results = [None] * len(calls)

    def run(index):
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def test_rendered_once_renders_once_for_visitors_at_once():
    key, calls = _key(), []
    render = _counted(calls)

    results = _at_once(*[lambda: rendered_once(key, render, wait_seconds=10)] * 4)

    assert len(calls) == 1
    assert results == [b"%PDF-1 test"] * 4
    assert cache.get(f"{key}:lock") is None


def test_rendered_once_serves_a_cached_pdf_without_rendering():
    key, calls = _key(), []
    cache.set(key, b"%PDF-1 kept", 60)

    assert rendered_once(key, _counted(calls)) == b"%PDF-1 kept"
    assert calls == []


def test_rendered_once_gives_up_waiting_on_a_held_lock():
    key, calls = _key(), []
    cache.add(f"{key}:lock", 1, 60)

    started = time.monotonic()
    assert rendered_once(key, _counted(calls), wait_seconds=0.6) is None
    assert calls == [] and time.monotonic() - started < 5


def test_rendered_once_frees_the_lock_when_a_render_fails():
    key, calls = _key(), []

    with pytest.raises(OSError):
        rendered_once(key, _counted(calls, fail=True))

    assert cache.get(f"{key}:lock") is None
    assert rendered_once(key, _counted(calls, seconds=0)) == b"%PDF-1 test"
    assert len(calls) == 2


def test_a_waiter_renders_after_the_holder_fails():
    key, calls = _key(), []
    failing, working = _counted(calls, fail=True), _counted(calls, seconds=0)

    def first():
        try:
            return rendered_once(key, failing, wait_seconds=10)
        except OSError:
            return "failed"

    def second():
        time.sleep(0.1)
        return rendered_once(key, working, wait_seconds=10)

    results = _at_once(first, second)

    assert results == ["failed", b"%PDF-1 test"]
    assert len(calls) == 2


@pytest.mark.django_db
def test_shared_pdf_busy_answers_503_with_retry_after(
    organization, client, monkeypatch
):
    workflow = workflow_in(organization)
    membership = organization.memberships.get(role="owner")
    _link, raw = services.share_link_create(membership=membership, workflow=workflow)
    monkeypatch.setattr(documents, "rendered_once", lambda key, render: None)

    response = client.get(f"/s/{raw}/pdf/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(documents.RENDER_WAIT_SECONDS)
    assert "The PDF is still being made. Try again in a minute." in (
        response.content.decode()
    )
