"""Input the database cannot take is refused or not found, never a 500."""

from http import HTTPStatus

import pytest

from apps.accounts.models import Organization

pytestmark = pytest.mark.django_db


def test_incident_with_a_nul_in_its_number_is_not_found(owner_client):
    response = owner_client.get("/incidents/%00/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_search_with_a_nul_finds_nothing(owner_client):
    response = owner_client.get("/search/?q=%00vpn%00")

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", ["\x00", "a\x00b", "x" * 121])
def test_organization_new_refuses_a_name_it_cannot_store(owner_client, owner, name):
    count = Organization.objects.count()

    response = owner_client.post("/organizations/new/", {"name": name})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Organization.objects.count() == count


def test_organization_new_keeps_the_name_and_says_why_at_the_field(owner_client):
    response = owner_client.post("/organizations/new/", {"name": "x" * 121})
    page = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert f'value="{"x" * 121}" aria-invalid="true"' in page
    assert (
        '<span class="error-message" id="org-name-error" role="alert">'
        "The name is 121 characters; the limit is 120.</span>"
    ) in page
