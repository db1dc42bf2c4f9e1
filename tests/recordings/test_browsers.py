"""A recorder's user agent is shown as a browser and a system."""

import pytest

from apps.recordings.browsers import browser_label

WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (
            f"Mozilla/5.0 (X11; Linux x86_64) {WEBKIT} Chrome/142.0.0.0 Safari/537.36",
            "Chrome 142 on Linux",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/141.0.0.0 "
            "Safari/537.36 Edg/141.0.3537.57",
            "Edge 141 on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 "
            "Firefox/133.0",
            "Firefox 133 on macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari 18 on macOS",
        ),
        (
            f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {WEBKIT} Chrome/140.0.0.0",
            "Chrome 140 on ChromeOS",
        ),
        (
            f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {WEBKIT} Chrome/139.0.0.0 "
            "Mobile Safari/537.36",
            "Chrome 139 on Android",
        ),
        (
            f"Mozilla/5.0 (X11; Linux x86_64) {WEBKIT} HeadlessChrome/142.0.0.0",
            "Chrome 142 on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
            "Internet Explorer 11 on Windows",
        ),
        (
            "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
            "Internet Explorer 10 on Windows",
        ),
    ],
)
def test_browser_label_names_browser_major_version_and_system(user_agent, label):
    assert browser_label(user_agent) == label


def test_browser_label_of_a_cut_chromium_user_agent_names_the_family():
    cut = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT}"

    assert browser_label(cut) == "Chromium-based browser on Windows"


def test_browser_label_of_a_cut_firefox_user_agent_reads_its_version():
    full = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"

    assert browser_label(full[:80]) == "Firefox 128 on Windows"


def test_browser_label_of_an_unreadable_user_agent_names_the_system_only():
    cut = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"

    assert browser_label(cut) == "Unknown browser on Windows"


def test_browser_label_keeps_a_name_that_is_no_user_agent():
    assert browser_label("Chromium 156") == "Chromium 156"
    assert browser_label("") == ""
