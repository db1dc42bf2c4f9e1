"""Walk every URL pattern as a member of another organization.

Each pattern that names an object is requested with an object of the victim
organization, as the attacker's session and as the attacker's API token: the
answer must be 404 for every method. Patterns without arguments must not
show the victim's name anywhere.
"""

import importlib
import pkgutil
import re
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

import tests
from tests import factories
from tests.tenancy import CAPABILITY_KWARGS, EXEMPT_PREFIXES, PROVIDERS

VICTIM_NAME = "Victim Sentinel Qx7"


def _load_providers():
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"tests.{module.name}.tenancy")
            except ModuleNotFoundError as error:
                if error.name != f"tests.{module.name}.tenancy":
                    raise


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _patterns():
    seen = set()
    for route, entry in _walk(get_resolver()):
        if any(route.startswith(p) for p in EXEMPT_PREFIXES):
            continue
        if route in seen:
            continue
        seen.add(route)
        yield route, entry


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _fill(route, entry, organization):
    """Return the URL for ``route`` with objects of ``organization``."""
    converters = entry.pattern.converters
    values = {}
    for name in converters:
        if name in CAPABILITY_KWARGS:
            return None
        provider = PROVIDERS.get(name)
        assert provider is not None, (
            f"The URL {route!r} takes {name!r}, which no tenancy provider makes. "
            f"Register one with @provides({name!r}) in tests/<app>/tenancy.py."
        )
        values[name] = converters[name].to_url(provider(organization))
    return "/" + ROUTE_PARAMETER.sub(lambda match: values[match[1]], route)


@pytest.fixture
def attacker(db):
    organization, owner = factories.organization_with_owner(name="Attacker Org")
    return organization, owner


@pytest.fixture
def victim(db):
    organization, owner = factories.organization_with_owner(name=VICTIM_NAME)
    return organization, owner


def test_every_object_url_answers_404_to_another_organization(attacker, victim, client):
    _load_providers()
    attacker_org, attacker_user = attacker
    victim_org, _victim_user = victim
    client.force_login(attacker_user)
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + factories.api_token_for(organization=attacker_org, user=attacker_user)
    )

    checked, failures = 0, []
    for route, entry in _patterns():
        if not entry.pattern.converters:
            continue
        path = _fill(route, entry, victim_org)
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
    _load_providers()
    attacker_org, attacker_user = attacker
    victim_org, _ = victim
    for provider in set(PROVIDERS.values()):
        provider(victim_org)
    client.force_login(attacker_user)

    leaks = []
    for route, entry in _patterns():
        if entry.pattern.converters:
            continue
        response = client.get("/" + route)
        if VICTIM_NAME.encode() in response.content:
            leaks.append(route)
    assert not leaks
