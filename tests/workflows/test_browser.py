"""The workflow page in Chromium: the map drawn by the vendored Mermaid."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from apps.workflows import selectors, services
from tests import factories
from tests.workflows.conftest import import_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API keeps an event loop in this thread; the ORM calls
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(settings.BASE_DIR) / "tests" / "artifacts"


@pytest.fixture
def chromium(playwright):
    browser = playwright.chromium.launch(
        executable_path=settings.CHROMIUM_PATH,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


def test_workflow_page_draws_the_map_without_breaking_the_csp(chromium, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    recording = import_sample(organization)
    workflow = services.workflow_generate(
        organization=organization, recording=recording, enqueue=False
    )
    run = selectors.run_for_recording(organization=organization, recording=recording)
    services.run_build(run=run, generation=run.generation)
    client = Client()
    client.force_login(owner)
    context = chromium.new_context(base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto(f"/workflows/{workflow.pk}/")
    page.locator("pre[data-mermaid] svg").wait_for(timeout=30_000)

    text = re.sub(r"\s+", "", page.locator("pre[data-mermaid]").inner_text())
    assert "Priority:2-High" in text
    assert "(Grafana)" in text
    assert page.locator("pre[data-mermaid] svg foreignObject").count() == 0
    assert errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "workflow-detail.png", full_page=False)
    context.close()
