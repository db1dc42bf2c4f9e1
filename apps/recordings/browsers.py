"""A recorder's user agent, said the way a person names a browser.

Pure: "Mozilla/5.0 (X11; Linux x86_64) … Chrome/142.0.0.0 Safari/537.36"
becomes "Chrome 142 on Linux". The extension sends a name already
("Google Chrome 142 on Linux", from the browser's client hints), which is
shown as it is; older recorders sent a user agent cut at 80 characters,
often without the browser's own token, and then the engine's marks name
what they can: Firefox's version from "rv:", Chrome's family from WebKit
537.36, which Chromium has kept since it left WebKit.
"""

import re

# Most specific first: Edge and Opera also carry "Chrome/", Chrome "Safari/".
BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"OPR/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:HeadlessChrome|Chrome|CriOS)/(\d+)"),
    ("Chromium", r"Chromium/(\d+)"),
    ("Safari", r"Version/(\d+)[^ ]* (?:Mobile/\S+ )?Safari/"),
    ("Internet Explorer", r"MSIE (\d+)|Trident/.*rv:(\d+)"),
    # A user agent cut before "Firefox/" still carries its version as "rv:".
    ("Firefox", r"rv:(\d+)[^)]*\) Gecko/"),
)
# A user agent cut before its browser's token, named by the engine's mark.
FAMILIES = (("Chromium-based browser", r"AppleWebKit/537\.36"),)
SYSTEMS = (
    ("Android", r"Android"),
    ("ChromeOS", r"CrOS"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)
UNKNOWN_BROWSER = "Unknown browser"


def browser_label(user_agent):
    """Return "Chrome 142 on Linux" for a user agent; other text as it is."""
    if not user_agent.startswith("Mozilla/"):
        return user_agent
    browser = _browser(user_agent)
    system = _first(SYSTEMS, user_agent)
    return f"{browser} on {system}" if system else browser


def _browser(user_agent):
    for name, pattern in BROWSERS:
        found = re.search(pattern, user_agent)
        if found:
            return f"{name} {next(group for group in found.groups() if group)}"
    return _first(FAMILIES, user_agent) or UNKNOWN_BROWSER


def _first(names, user_agent):
    return next((name for name, pattern in names if re.search(pattern, user_agent)), "")
