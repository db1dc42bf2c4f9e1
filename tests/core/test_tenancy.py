"""Walk every URL pattern as a member of another organization.

Each pattern that names an object is requested with an object of the victim
organization, as the attacker's session and as the attacker's API token: the
answer must be 404 for every method. Patterns without arguments must not
show the victim's name anywhere.
"""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.tenancy import PROVIDERS, load_providers, url_fill, url_patterns

VICTIM_NAME = "Victim Sentinel Qx7"


@pytest.fixture
def attacker(db):
    organization, owner = factories.organization_with_owner(name="Attacker Org")
    return organization, owner


@pytest.fixture
def victim(db):
    organization, owner = factories.organization_with_owner(name=VICTIM_NAME)
    return organization, owner


def test_every_object_url_answers_404_to_another_organization(attacker, victim, client):
    load_providers()
    attacker_org, attacker_user = attacker
    victim_org, _victim_user = victim
    client.force_login(attacker_user)
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=attacker_org, user=attacker_user)
    )

    checked, failures = 0, []
    for route, entry in url_patterns():
        if not entry.pattern.converters:
            continue
        path = url_fill(route, entry, victim_org)
        if path is None:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            for name, http in (("session", client), ("token", api)):
                response = getattr(http, method)(path)
                checked += 1
                allowed = {HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED}
                if name == "token" and not path.startswith("/api/"):
                    # Pages ignore API tokens: they answer as to a visitor.
                    allowed |= {
                        HTTPStatus.FOUND,
                        HTTPStatus.UNAUTHORIZED,
                        HTTPStatus.FORBIDDEN,
                    }
                if response.status_code not in allowed:
                    failures.append(
                        f"{method.upper()} {path} as {name}: {response.status_code}"
                    )
                if VICTIM_NAME.encode() in response.content:
                    failures.append(
                        f"{method.upper()} {path} as {name} shows the victim"
                    )

    assert checked > 0
    assert not failures, "\n".join(failures)


def test_no_page_without_arguments_shows_another_organization(attacker, victim, client):
    load_providers()
    attacker_org, attacker_user = attacker
    victim_org, _ = victim
    for provider in set(PROVIDERS.values()):
        provider(victim_org)
    client.force_login(attacker_user)

    leaks = []
    for route, entry in url_patterns():
        if entry.pattern.converters:
            continue
        response = client.get("/" + route)
        if VICTIM_NAME.encode() in response.content:
            leaks.append(route)
    assert not leaks
