"""Small checks over rendered HTML, for tests that need no browser."""

import re
from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
# The attribute of a table cell holding a name someone typed, which may wrap
# anywhere (static/css/app.css).
CELL = ' class="user-text"'


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls = []
        self.label_for = set()
        self.open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type", "text") in UNLABELLED_TYPES:
                return
            wrapped = self.open_labels > 0
            self.controls.append((tag, attrs, wrapped))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1


def unlabelled_controls(page):
    """Return the name of every form control without a label."""
    parser = _Controls()
    parser.feed(page)
    missing = []
    for tag, attrs, wrapped in parser.controls:
        labelled = (
            wrapped
            or attrs.get("aria-label")
            or attrs.get("aria-labelledby")
            or attrs.get("id") in parser.label_for
        )
        if not labelled:
            missing.append(f"{tag} {attrs.get('name') or attrs.get('id')}")
    return missing


def inline_scripts(page):
    return INLINE_SCRIPT.findall(page)
