"""The share form's checkboxes keep their help below them: in Chromium."""

import pytest

from tests import factories
from tests.browser.conftest import log_in, wait_until
from tests.sharing.helpers import workflow_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the "Show people's names" checkbox, its label and its help sit.
BOXES = """() => {
  const box = (el) => el.getBoundingClientRect();
  const input = document.getElementById('id_show_names');
  const field = input.closest('.field');
  const label = field.querySelector('label');
  return {
    input: box(input).toJSON(),
    label: box(label).toJSON(),
    help: box(field.querySelector('.help')).toJSON(),
    line: parseFloat(getComputedStyle(label).lineHeight),
  };
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_checkbox_help_sits_below_its_label(context, page, live_server, width):
    organization, owner = factories.organization_with_owner()
    workflow = workflow_in(organization)
    log_in(context, owner, live_server)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"/share-links/new/?workflow={workflow.pk}")
    wait_until(page, "() => document.fonts.status === 'loaded'")
    boxes = page.evaluate(BOXES)

    assert boxes["label"]["height"] < 1.5 * boxes["line"], "the label wraps"
    assert boxes["help"]["top"] >= boxes["label"]["bottom"]
    assert boxes["help"]["top"] >= boxes["input"]["bottom"]
    assert boxes["help"]["left"] == boxes["label"]["left"]
