"""A step's edit forms lay out as the app's other forms do: in Chromium."""

import re

import pytest

from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import DESKTOP, PHONE, axe, shoot
from tests.workflows.test_page_browser import _built_workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = browser_fixtures.browser
context = browser_fixtures.context
page = browser_fixtures.page

# Where each field's label text, error and field are drawn, for the forms
# of the step's open edit control.
PLACES = """(step) => {
  const box = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const { top, bottom, left } = range.getBoundingClientRect();
    return { top, bottom, left };
  };
  const places = {};
  for (const field of step.querySelectorAll(
    '[data-step-edit] input[name="text"], [data-step-edit] textarea'
  )) {
    const label = field.labels[0];
    const text = [...label.childNodes].find(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()
    );
    const error = field.form.querySelector('.error-message');
    const { top, bottom, left } = field.getBoundingClientRect();
    places[field.closest('form').querySelector('[name="op"]').value] = {
      label: box(text),
      error: error && box(error),
      field: { top, bottom, left },
    };
  }
  return places;
}"""


def _refused_reword(page, workflow, text):
    page.goto(f"/workflows/{workflow.pk}/#step-3")
    step = page.locator("#step-3")
    step.locator("summary").click()
    step.get_by_label("Text").fill(text)
    step.get_by_role("button", name="Reword").click()
    page.wait_for_url(re.compile(r"#reword-text-\d+$"))
    return page.locator("#step-3")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_step_edit_error_sits_under_its_label_and_labels_top_their_fields(
    context, page, live_server, viewport
):
    workflow, _recording = _built_workflow(context, live_server)
    page.set_viewport_size(viewport)

    step = _refused_reword(page, workflow, "   ")
    places = step.evaluate(PLACES)
    reword = places["reword"]
    violations = axe(page)
    overflow = shoot(page, f"step-edit-error-{viewport['width']}")

    assert step.get_by_text("The text is empty.").is_visible()
    # Arriving at the field leaves its label and error in view above it.
    assert reword["label"]["top"] >= 0
    assert reword["label"]["bottom"] <= reword["error"]["top"]
    assert reword["error"]["bottom"] <= reword["field"]["top"]
    assert abs(reword["error"]["left"] - reword["label"]["left"]) < 1
    for op in ("reword", "split", "note"):
        assert places[op]["label"]["bottom"] <= places[op]["field"]["top"], op
        assert abs(places[op]["label"]["left"] - places[op]["field"]["left"]) < 1, op
    assert violations == []
    assert overflow <= 0
    assert page.console_errors == []
