"""The registry behind the cross-tenant URL walk in ``tests/core``.

Every URL keyword argument names an object. For each name, a provider makes
such an object in a given organization and returns the value that goes in
the URL. Apps register providers in ``tests/<app>/tenancy.py`` with
``@provides("name")``; a URL whose keyword has no provider fails the walk, so
a new view cannot escape it.
"""

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
