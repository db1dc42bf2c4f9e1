"""Every form writes its labels alike: no colon after them."""

import re
from http import HTTPStatus

import pytest
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.forms import NoLabelSuffix
from tests import factories
from tests.sharing.helpers import workflow_in

pytestmark = pytest.mark.django_db

LABEL = re.compile(r"<label[^>]*>(.*?)</label>", re.S)
SIGNED_IN_PAGES = [
    "/settings/members/",
    "/settings/tokens/",
    "/settings/profile/",
    "/share-links/new/",
    "/upload/",
    "/incidents/",
    "/incidents/suggest/",
]
PUBLIC_PAGES = [
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


def _labels(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, path
    return [" ".join(text.split()) for text in LABEL.findall(response.content.decode())]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_page_labels_end_without_a_colon(organization, owner_client, path):
    factories.incident_history_allow(organization)
    workflow_in(organization)

    labels = _labels(owner_client, path)

    assert labels, f"{path} has no labels"
    assert [label for label in labels if label.endswith(":")] == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_labels_end_without_a_colon(client, path):
    labels = _labels(client, path)

    assert labels, f"{path} has no labels"
    assert [label for label in labels if label.endswith(":")] == []


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_of_ours_leaves_out_the_colon():
    ours = {cls for cls in _subclasses(forms.BaseForm) if cls.__module__[:5] == "apps."}
    allauth = {import_string(path) for path in settings.ACCOUNT_FORMS.values()}

    assert ours, "no forms found"
    assert [cls for cls in ours | allauth if not issubclass(cls, NoLabelSuffix)] == []
    assert issubclass(AllauthSignupForm, NoLabelSuffix)
