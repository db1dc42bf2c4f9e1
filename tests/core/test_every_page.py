"""Every page answers, on the bare objects a new organization has: a workflow
not built yet, a recording without steps, an import without a report."""

from http import HTTPStatus

from django.test import Client

from tests.tenancy import load_providers, url_fill, url_patterns


def test_no_page_fails_on_objects_not_built_yet(organization):
    load_providers()
    member = Client(raise_request_exception=False)
    member.force_login(organization.memberships.get().user)

    checked, failures = 0, []
    for route, entry in url_patterns():
        path = url_fill(route, entry, organization)
        if path is None:
            continue
        checked += 1
        status = member.get(path).status_code
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            failures.append(f"GET {path}: {status}")

    assert checked >= 40
    assert not failures, "\n".join(failures)
