"""The pages that walk an agent through the extension name its real buttons.

The labels are read from the popup's own HTML, so renaming a button there
fails here until the Extension page and the dashboard say the same.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from apps.web.views import POPUP_BUTTONS

pytestmark = pytest.mark.django_db

POPUP = settings.BASE_DIR / "extension" / "popup" / "popup.html"
# Where each button the pages name sits in the popup: its id, or its form's.
PLACES = {
    "connect": "connect-form",
    "start": "start-form",
    "pause": "pause",
    "stop": "stop",
    "finish": "finish",
}


class _Buttons(HTMLParser):
    """Collect the text of each button keyed by its id, or else its form's."""

    def __init__(self):
        super().__init__()
        self.form = None
        self.key = None
        self.labels = {}
        self.hints = []
        self.in_hint = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = attrs.get("id")
        elif tag == "button":
            self.key = attrs.get("id") or self.form
            if self.key:
                self.labels[self.key] = ""
        elif tag == "p" and "hint" in (attrs.get("class") or "").split():
            self.in_hint = True
            self.hints.append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "button":
            self.key = None
        elif tag == "p":
            self.in_hint = False

    def handle_data(self, data):
        if self.key:
            self.labels[self.key] += data
        if self.in_hint:
            self.hints[-1] += data


def _plain(text):
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def popup():
    parser = _Buttons()
    parser.feed(POPUP.read_text(encoding="utf-8"))
    parser.labels = {key: _plain(text) for key, text in parser.labels.items()}
    parser.hints = [_plain(text) for text in parser.hints]
    return parser


def _named_in_order(text, labels):
    """Return the places of “label” in ``text``, or None for a missing one."""
    places = [text.find(f"“{label}”") for label in labels]
    return None if -1 in places else places


def test_popup_buttons_are_the_ones_the_pages_name(popup):
    labels = {name: popup.labels.get(place) for name, place in PLACES.items()}

    assert labels == POPUP_BUTTONS


def test_extension_page_names_the_popup_buttons_in_order(popup, owner_client):
    page = owner_client.get("/extension/").content.decode()
    steps = page[page.index("data-popup-steps") :]
    labels = [popup.labels[PLACES[name]] for name in ("start", "stop", "finish")]

    places = _named_in_order(steps, labels)

    assert places is not None, f"the record steps do not name {labels}"
    assert places == sorted(places)
    assert f"“{popup.labels['connect-form']}”" in page


def test_dashboard_names_the_popup_start_button(popup, owner_client):
    page = owner_client.get("/dashboard/").content.decode()

    assert f"“{popup.labels['start-form']}”" in page


def test_popup_names_the_pages_connect_button(popup, owner_client):
    page = owner_client.get("/extension/").content.decode()
    form = page[page.index("data-extension-connect") :]
    button = re.search(r"<button type=\"submit\">([^<]+)</button>", form)

    assert button is not None
    assert any(f"“{button[1]}”" in hint for hint in popup.hints)
