"""The share form says everything wrong with what was typed at once."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from apps.sharing.models import ShareLink
from tests.sharing.helpers import workflow_in

pytestmark = pytest.mark.django_db

PAST = "Choose an expiry in the future, or none."
SHORT = "Use a password of at least 8 characters, or none."
TYPE_AGAIN = "Type the password again: the page does not keep it."


def _yesterday():
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def test_share_form_reports_a_past_expiry_and_a_short_password_together(
    organization, owner_client
):
    workflow = workflow_in(organization)

    response = owner_client.post(
        "/share-links/new/",
        {
            "workflow": str(workflow.pk),
            "expires_on": _yesterday(),
            "password": "short",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors == {
        "expires_on": [PAST],
        "password": [SHORT],
    }
    assert not ShareLink.objects.exists()


def test_share_form_checks_expiry_and_password_beside_a_refused_workflow(
    organization, other_organization, owner_client
):
    theirs = workflow_in(other_organization)

    response = owner_client.post(
        "/share-links/new/",
        {"workflow": str(theirs.pk), "expires_on": _yesterday(), "password": "short"},
    )

    assert set(response.context["form"].errors) == {
        "workflow",
        "expires_on",
        "password",
    }


def test_share_form_sent_back_asks_for_a_good_password_again(
    organization, owner_client
):
    workflow = workflow_in(organization)
    password = "long enough secret"

    response = owner_client.post(
        "/share-links/new/",
        {
            "workflow": str(workflow.pk),
            "expires_on": _yesterday(),
            "password": password,
        },
    )
    page = response.content.decode()

    assert response.context["form"].errors == {
        "expires_on": [PAST],
        "password": [TYPE_AGAIN],
    }
    assert TYPE_AGAIN in page
    assert password not in page


def test_share_form_sent_back_without_a_password_asks_for_none(
    organization, owner_client
):
    workflow = workflow_in(organization)

    response = owner_client.post(
        "/share-links/new/", {"workflow": str(workflow.pk), "expires_on": _yesterday()}
    )

    assert response.context["form"].errors == {"expires_on": [PAST]}
