"""The registry behind the URL walks in ``tests/core``.

Every URL keyword argument names an object. For each name, a provider makes
such an object in a given organization and returns the value that goes in
the URL. Apps register providers in ``tests/<app>/tenancy.py`` with
``@provides("name")``; a URL whose keyword has no provider fails the walk, so
a new view cannot escape it.
"""

import importlib
import pkgutil
import re

from django.urls import URLPattern, URLResolver, get_resolver

import tests

PROVIDERS = {}

# URL prefixes that are not organization data, with the reason.
EXEMPT_PREFIXES = {
    "staff/": "the Django admin; staff only, tested on its own",
    "accounts/": "django-allauth's sign-up, log-in and e-mail flows",
    "api/schema/": "the OpenAPI document, the same for everyone",
    "api/docs/": "the API docs page, the same for everyone",
    "static/": "static files",
}

# Keyword names whose value is itself the permission (a secret in the URL).
CAPABILITY_KWARGS = {
    "token": "an invitation or share-link secret: whoever holds it may open it",
}


def provides(*names):
    def register(function):
        for name in names:
            PROVIDERS[name] = function
        return function

    return register


def load_providers():
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


def url_patterns():
    """Yield ``(route, pattern)`` for every URL pattern but the exempt ones."""
    seen = set()
    for route, entry in _walk(get_resolver()):
        if any(route.startswith(p) for p in EXEMPT_PREFIXES):
            continue
        if route in seen:
            continue
        seen.add(route)
        yield route, entry


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def url_fill(route, entry, organization):
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
