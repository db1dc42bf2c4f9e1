import os
import secrets

import pytest

from tests.e2e_real import incident, tools

CHROMIUM = "/usr/bin/chromium"
AGENT = "alex.agent"

# Playwright's sync API keeps an event loop on the main thread, where the test
# also reads the database; Django refuses that unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def helpdesk_password():
    return secrets.token_urlsafe(12)


@pytest.fixture(scope="session")
def helpdesk(helpdesk_password):
    """Serve django-helpdesk from its own venv and a freshly seeded database."""
    service = tools.start_helpdesk(password=helpdesk_password)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def prometheus():
    """Run Debian's Prometheus scraping itself and the incident's exporter."""
    service, exporter = tools.start_prometheus()
    yield service
    service.stop()
    exporter.stop()


@pytest.fixture
def plain_browser(playwright):
    """Debian's Chromium with no extension, for checking the tools alone."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )
    yield browser
    browser.close()


@pytest.fixture
def agent_page_factory(helpdesk, helpdesk_password):
    """Return a function that signs the agent in on a new page of a context."""

    def open_page(context):
        page = context.new_page()
        incident.log_in(
            page, helpdesk.origin, username=AGENT, password=helpdesk_password
        )
        return page

    return open_page
