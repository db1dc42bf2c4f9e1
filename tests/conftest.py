import pytest

from tests import factories


@pytest.fixture
def organization_factory(db):
    return factories.organization_with_owner


@pytest.fixture
def user_factory(db):
    return factories.user_create


@pytest.fixture
def organization(db):
    organization, _owner = factories.organization_with_owner(name="Acme IT")
    return organization


@pytest.fixture
def owner(organization):
    return organization.memberships.get(role="owner").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_organization(db):
    organization, _owner = factories.organization_with_owner(name="Globex Support")
    return organization


@pytest.fixture
def api_token(organization, owner):
    return factories.api_token_for(organization=organization, user=owner)


@pytest.fixture
def api_client(api_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token}")
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database, and end stray sessions before it is dropped."""
    yield
    from tests.workers import end_other_sessions

    with django_db_blocker.unblock():
        end_other_sessions()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """Run a real Celery worker on Redis against the test database.

    Tests that use it must also use ``transactional_db`` so the worker, a
    separate process, sees their rows. Yields the ``subprocess.Popen``, with
    the worker's node name as ``hostname``.
    """
    from django.conf import settings

    from tests.workers import purge_queue, start_worker, stop_worker

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    # Tasks sent by earlier tests that ran without a worker are for rows
    # those tests already flushed away.
    purge_queue(queue)
    with django_db_blocker.unblock():
        worker = start_worker(queue, "test")
    _session_worker.append(worker)
    yield worker
    _session_worker.clear()
    stop_worker(worker)


_session_worker = []


@pytest.fixture(autouse=True)
def _session_worker_idle_before_flush(request):
    """Let the session's worker finish a transactional test's tasks first.

    Set up after the database, so torn down before it is flushed.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        session_worker_idle()


def session_worker_idle():
    """Wait until the session's worker, if one runs, has no task left."""
    if not _session_worker:
        return
    from django.conf import settings

    from tests.workers import wait_until_idle

    (worker,) = _session_worker
    wait_until_idle(worker, settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture(scope="session")
def playwright():
    """Playwright's sync driver, one for the whole run.

    The sync API keeps an event loop on the thread that starts it and refuses
    a second driver on the same thread, so every browser fixture shares this
    one. Django is told the ORM calls tests make between browser steps are
    safe: they are plain synchronous code on that thread.
    """
    import os

    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        yield driver
