"""The staff admin offers only choices that can be saved, under plain names."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(
        User.objects.create_superuser(email="staff@example.test", password="x")
    )
    return client


def _plan_select(page, name="plan"):
    return re.search(rf'<select name="{name}"[^>]*>.*?</select>', page, re.S).group()


def test_organization_form_offers_no_empty_plan(staff_client, organization):
    added = staff_client.get("/staff/accounts/organization/add/")
    changed = staff_client.get(
        f"/staff/accounts/organization/{organization.pk}/change/"
    )

    assert added.status_code == changed.status_code == HTTPStatus.OK
    for page in (added.content.decode(), changed.content.decode()):
        select = _plan_select(page)
        assert "---------" not in select
        assert '<option value="">' not in select
    assert (
        f'<option value="{organization.plan.pk}" selected>{organization.plan}</option>'
        in _plan_select(changed.content.decode())
    )


def test_organization_list_offers_no_empty_plan(staff_client, organization):
    response = staff_client.get("/staff/accounts/organization/")

    assert response.status_code == HTTPStatus.OK
    assert "---------" not in _plan_select(response.content.decode(), "form-0-plan")


def test_staff_index_names_api_tokens_and_sop_versions(staff_client):
    response = staff_client.get("/staff/")
    page = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert '<a href="/staff/accounts/apitoken/">API tokens</a>' in page
    assert '<a href="/staff/workflows/sopversion/">SOP versions</a>' in page
    assert "Api tokens" not in page and "Sop versions" not in page


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/staff/", "Site administration | Ledgerium staff"),
        (
            "/staff/accounts/organization/",
            "Select organization to change | Ledgerium staff",
        ),
    ],
)
def test_staff_pages_are_titled_as_their_header_names_them(staff_client, path, title):
    page = staff_client.get(path).content.decode()

    assert f"<title>{title}</title>" in page
    assert "Django site admin" not in page
    assert '<a href="/staff/">Ledgerium staff</a>' in page
