"""Mail comes from noreply@ the site's host, as the README says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SENDER = "from ledgerium.settings import base; print(base.DEFAULT_FROM_EMAIL)"


def _sender(site_url):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", SENDER],
        env={**clean, "LEDGERIUM_SITE_URL": site_url},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("site_url", "sender"),
    [
        ("https://ledgerium.example.com", "Ledgerium <noreply@ledgerium.example.com>"),
        ("http://localhost:8000", "Ledgerium <noreply@localhost>"),
        ("http://127.0.0.1:8000", "Ledgerium <noreply@localhost>"),
        ("http://[::1]:8000", "Ledgerium <noreply@localhost>"),
    ],
)
def test_mail_comes_from_noreply_at_the_sites_host(site_url, sender):
    assert _sender(site_url) == sender


def test_readme_says_where_mail_comes_from_on_an_address_host():
    readme = " ".join(Path(settings.BASE_DIR, "README.md").read_text().split())

    assert "`noreply@localhost` where that host is an IP address" in readme
