"""Every incident number links to its own page, whatever characters it holds."""

import html
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from apps.reports.converters import IncidentNumberConverter
from tests.reports.factories import incident_create

pytestmark = pytest.mark.django_db

NUMBERS = [
    "INC/1",
    "INC/1/",
    "a/../b",
    "INC?1=2",
    "INC#1",
    "50%",
    "INC%2F1",
    "INC 1",
    "Störung-1 ✓",
    ".",
    "..",
    "import",
    "suggest",
]
LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')


def _incident_links(body):
    return {
        html.unescape(text): html.unescape(href) for href, text in LINK.findall(body)
    }


@pytest.fixture
def numbered(organization):
    for number in NUMBERS:
        incident_create(organization=organization, number=number)


def test_history_page_links_every_incident_number(owner_client, numbered):
    response = owner_client.get(reverse("incident_history"))

    assert response.status_code == HTTPStatus.OK
    links = _incident_links(response.content.decode())
    for number in NUMBERS:
        detail = owner_client.get(links[number])
        assert detail.status_code == HTTPStatus.OK, number
        assert detail.context["incident"].number == number


@pytest.mark.parametrize("number", NUMBERS)
def test_incident_link_is_one_segment_browsers_keep_as_it_is(number):
    path = urlsplit(reverse("incident_detail", args=[number])).path
    segment = path.removeprefix("/incidents/").removesuffix("/")

    assert re.fullmatch(IncidentNumberConverter.regex, segment)
    # Browsers drop "." and ".." segments, and read %2E as a dot there too.
    assert segment.replace("%2E", ".").strip(".")
    assert segment not in ("import", "suggest")
