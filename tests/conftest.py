import pytest

from tests import factories


@pytest.fixture
def organization_factory(db):
    return factories.organization_with_owner


@pytest.fixture
def user_factory(db):
    return factories.user_create


@pytest.fixture
def organization(db):
    organization, _owner = factories.organization_with_owner(name="Acme IT")
    return organization


@pytest.fixture
def owner(organization):
    return organization.memberships.get(role="owner").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_organization(db):
    organization, _owner = factories.organization_with_owner(name="Globex Support")
    return organization


@pytest.fixture
def api_token(organization, owner):
    return factories.api_token_for(organization=organization, user=owner)


@pytest.fixture
def api_client(api_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token}")
    return client
