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
def celery_worker(django_db_setup, django_db_blocker):
    """Run a real Celery worker on Redis against the test database.

    Tests that use it must also use ``transactional_db`` so the worker, a
    separate process, sees their rows. Yields the ``subprocess.Popen``, with
    the worker's node name as ``hostname``.
    """
    import os
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    with django_db_blocker.unblock():
        database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ledgerium.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LEDGERIUM_TEST_RUN_ID": str(os.getpid()),
    }
    hostname = f"test-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ledgerium",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            hostname,
        ],
        env=env,
    )
    from ledgerium.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
        if worker.poll() is not None:
            raise RuntimeError("The Celery worker exited at start-up.")
    else:
        worker.kill()
        raise RuntimeError("The Celery worker did not answer within 30 s.")
    worker.hostname = hostname
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()


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
