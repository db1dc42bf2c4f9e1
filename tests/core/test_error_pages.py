"""An error page's title says what its heading says."""

import re
from http import HTTPStatus

import pytest
from django.test import RequestFactory

from apps.accounts.models import Role
from apps.core.errors import ApplicationError
from apps.core.middleware import ApplicationErrorMiddleware
from tests import factories

pytestmark = pytest.mark.django_db


def _title_and_heading(page):
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)[1]
    return title, heading


def test_dead_invitation_page_is_titled_not_found(client):
    response = client.get("/invitations/not-a-token/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _title_and_heading(response.content.decode()) == (
        "Not found · Ledgerium",
        "Not found",
    )


def test_refused_page_is_titled_not_allowed(organization, client):
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    client.force_login(member)

    response = client.get("/settings/plan/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _title_and_heading(response.content.decode()) == (
        "Not allowed · Ledgerium",
        "Not allowed",
    )


def test_other_refusal_is_titled_as_it_is_headed(rf: RequestFactory):
    error = ApplicationError("Try again later.", code="busy", status=409)
    middleware = ApplicationErrorMiddleware(lambda request: None)

    response = middleware.process_exception(rf.get("/"), error)

    assert response.status_code == HTTPStatus.CONFLICT
    assert _title_and_heading(response.content.decode()) == (
        "That did not work · Ledgerium",
        "That did not work",
    )
