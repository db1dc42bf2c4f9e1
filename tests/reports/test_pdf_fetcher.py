"""The PDF renderer reads data: URLs and our static files, nothing else."""

import base64

import pytest
from django.conf import settings

from apps.reports.rendering import pdf_url_fetcher

BASE = "http://testserver/"


def test_pdf_url_fetcher_reads_a_data_url():
    fetch = pdf_url_fetcher(BASE)
    url = "data:text/plain;base64," + base64.b64encode(b"ledger").decode()

    assert fetch(url).read() == b"ledger"


def test_pdf_url_fetcher_reads_a_static_file_from_disk():
    fetch = pdf_url_fetcher(BASE)
    expected = (settings.BASE_DIR / "static/css/app.css").read_bytes()

    assert fetch(BASE + "static/css/app.css?v=1").read() == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/secret",
        "https://example.invalid/x.png",
        "file:///etc/hostname",
        BASE + "media/upload.png",
        BASE + "static/../ledgerium/settings/base.py",
        BASE + "static/%2e%2e/ledgerium/settings/base.py",
        "http://evil.invalid/static/css/app.css",
    ],
)
def test_pdf_url_fetcher_refuses_any_other_url(url):
    fetch = pdf_url_fetcher(BASE)

    with pytest.raises(ValueError):
        fetch(url)
