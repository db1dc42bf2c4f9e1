"""Drive Debian's Chromium through Playwright against the live test server.

Each test gets a fresh context; ``shoot`` saves a screenshot per page at
desktop and phone width under ``tests/artifacts/`` for a person to look at,
and ``axe`` runs axe-core in the page and returns what it found.
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

ARTIFACTS = Path(settings.BASE_DIR) / "tests" / "artifacts"
AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
BLOCKING_IMPACTS = {"serious", "critical"}

# Playwright's sync API keeps an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=settings.CHROMIUM_PATH,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, accept_downloads=True
    )
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error" and page.console_errors.append(message.text)
        ),
    )
    return page


def wait_until(page, script, *, timeout=15):
    """Wait until ``script`` holds in the page, polling from here.

    Playwright's own ``wait_for_function`` evaluates its predicate with eval in
    the page, which the site's Content-Security-Policy refuses; ``evaluate``
    is not subject to it. A page that reloads itself meanwhile (the incident
    history does every five seconds while a report is built) is asked again
    once the new one has loaded.
    """
    deadline = time.monotonic() + timeout
    while not _holds(page, script):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still false after {timeout} s: {script}")
        page.wait_for_timeout(50)


def _holds(page, script):
    try:
        return page.evaluate(script)
    except PlaywrightError as error:
        if "Execution context was destroyed" not in error.message:
            raise
        page.wait_for_load_state()
        return False


def log_in(context, user, live_server):
    """Give ``context`` a session of ``user``, as a finished log-in would."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def axe(page):
    """Run axe-core in ``page``; return its serious and critical violations."""
    # evaluate() runs outside the page's CSP, so the page's own policy stays
    # as strict as in production.
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def shoot(page, name):
    """Save ``name``.png at desktop width and ``name``-phone.png at phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"
    )
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(size)
    return overflow


def secret_field_widths(page):
    """Return the widths of a shown-once secret's field, its card and Copy button."""
    return page.evaluate(
        """() => {
          const field = document.querySelector('.secret-field input.token');
          const card = field.closest('.card');
          const style = getComputedStyle(card);
          const inner = card.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const button = document.querySelector('.secret-field button[data-copy]');
          return {
            field: Math.round(field.getBoundingClientRect().width),
            card: Math.round(inner),
            button: Math.round(button.getBoundingClientRect().width),
          };
        }"""
    )
