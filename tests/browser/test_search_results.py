"""At phone width the search results read in one column, and a step its SOP
holds leads to that step in the SOP tab."""

from pathlib import Path

import pytest
from django.conf import settings

from apps.workflows.models import State, Workflow
from tests import factories
from tests.browser.conftest import ARTIFACTS, DESKTOP, axe, log_in, wait_until
from tests.sharing.helpers import workflow_built
from tests.web.test_search_sop_first import _run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = Path(settings.BASE_DIR, "apps/recordings/samples/laptop-recovery-key.json")
# How far the page scrolls sideways, and the results drawn past its right edge.
WIDE = """() => [
  document.documentElement.scrollWidth - window.innerWidth,
  [...document.querySelectorAll('main .results li')]
    .filter((item) => item.getBoundingClientRect().right > window.innerWidth)
    .map((item) => item.textContent.trim().slice(0, 40)),
]"""
SHOWN_STEP = """(number) => {
  const panel = document.querySelector('.tab-panel:not([hidden])');
  const step = document.getElementById(`step-${number}`);
  const box = step && step.getBoundingClientRect();
  return Boolean(panel && panel.id === 'sop' && box && box.top >= 0
    && box.top < window.innerHeight);
}"""


@pytest.fixture
def searched(context, page, live_server):
    organization, owner = factories.organization_with_owner(name="Acme IT")
    outage = workflow_built(organization)
    workflow_built(organization, sample=LAPTOP)
    unmade = Workflow.objects.create(
        organization=organization, title="Printer jam", state=State.QUEUED
    )
    _run(organization, unmade, "Toner low", ["Enter Caller"])
    log_in(context, owner, live_server)
    return outage


def _search(page, query, name):
    """Open the results of ``query`` at desktop and phone width, saving both
    as ``search-<name>``; return how they overflow at phone width."""
    page.set_viewport_size(DESKTOP)
    page.goto(f"/search/?q={query}")
    page.locator("main .results").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"search-{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=ARTIFACTS / f"search-{name}-phone.png", full_page=True)
    return page.evaluate(WIDE)


def _step_link(page, section, outage):
    link = page.locator(f"#{section} ~ ul a[href^='{outage.get_absolute_url()}#']")
    return link.first, int(link.first.get_attribute("href").rsplit("-", 1)[1])


def test_search_results_fit_a_phone_and_lead_to_the_sop_step(page, searched):
    wide = _search(page, "caller", "caller")
    link, number = _step_link(page, "found-steps", searched)
    runs = page.locator("main").get_by_text("Run “Berlin").count()

    link.click()
    wait_until(page, f"({SHOWN_STEP})({number})")

    assert wide == [0, []]
    assert runs == 0
    assert page.console_errors == []


def test_search_result_of_words_spread_links_its_sop_step(page, searched):
    wide = _search(page, "caller+network", "caller-network")
    link, number = _step_link(page, "found-workflows", searched)
    text = link.inner_text()
    problems = axe(page)

    link.click()
    wait_until(page, f"({SHOWN_STEP})({number})")

    assert wide == [0, []]
    assert text == f"Step {number}: Enter Caller"
    assert problems == []
    assert page.console_errors == []
