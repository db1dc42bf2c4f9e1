"""The top bar marks the page shown and the section every other page is under."""

import re
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.sharing.services import share_link_create
from apps.web.templatetags.nav_tags import SECTIONS
from tests.reports.factories import incident_create
from tests.sharing.helpers import workflow_in
from tests.workflows.conftest import build_sample, import_sample

pytestmark = pytest.mark.django_db

# Routes under no link of the top bar: the public pages, the organization's
# making and choosing, invitations, shared SOPs, the recording format.
OUTSIDE = {
    "home",
    "favicon",
    "pricing",
    "upgrade",
    "organization_new",
    "organization_switch",
    "invitation_accept",
    "invitation_signup",
    "shared",
    "shared_pdf",
    "shared_pdf_progress",
    "recording_format_document",
    "recording_format_text",
    "recording_format_schema",
}
MAIN_NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.DOTALL)
LINKS = {
    "dashboard": '<a href="/dashboard/"{}>Dashboard</a>',
    "recording_list": '<a href="/recordings/"{}>Recordings</a>',
    "workflow_list": '<a href="/workflows/"{}>Workflows</a>',
    "incident_history": '<a href="/incidents/"{}>Incidents</a>',
    "extension": '<a href="/extension/"{}>Extension</a>',
    "member_list": '<a href="/settings/members/"{}>Settings</a>',
}


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _page_routes():
    """Return the URL names of the site's own pages, the API's left out."""
    names = set()
    for included in get_resolver().url_patterns:
        if not isinstance(included, URLResolver):
            continue
        module = getattr(included.urlconf_name, "__name__", "")
        if not module.startswith("apps.") or module.endswith(".api_urls"):
            continue
        names |= {p.name for p in included.url_patterns if isinstance(p, URLPattern)}
    return names


def test_every_page_route_is_under_one_section_or_none():
    placed = [
        *SECTIONS,
        *OUTSIDE,
        *(name for names in SECTIONS.values() for name in names),
    ]

    assert len(placed) == len(set(placed))
    assert set(placed) == _page_routes()


def _main_nav(response):
    assert response.status_code == HTTPStatus.OK, response.status_code
    return MAIN_NAV.search(response.content.decode()).group(1)


def _marks(nav):
    return re.findall(r'aria-current="(\w+)"', nav)


def _assert_under(section, responses):
    """Assert that each response's page marks ``section`` and no other link."""
    for name, response in responses.items():
        nav = _main_nav(response)
        assert response.resolver_match.url_name == name
        assert LINKS[section].format(' aria-current="true"') in nav, name
        assert _marks(nav) == ["true"], name


def test_a_workflows_pages_and_its_sharing_mark_workflows(owner_client, organization):
    workflow = build_sample(organization)
    base = f"/workflows/{workflow.pk}"

    _assert_under(
        "workflow_list",
        {
            "workflow_detail": owner_client.get(f"{base}/"),
            "workflow_versions": owner_client.get(f"{base}/versions/"),
            "workflow_compare": owner_client.get(f"{base}/compare/?a=1&b=1"),
            "workflow_evidence": owner_client.get(f"{base}/versions/1/steps/1/"),
            "workflow_delete": owner_client.post(f"{base}/delete/"),
            "share_link_new": owner_client.get(
                f"/share-links/new/?workflow={workflow.pk}"
            ),
            "share_link_created": owner_client.post(
                "/share-links/new/", {"workflow": workflow.pk}, follow=True
            ),
        },
    )


def test_a_recordings_pages_mark_recordings(owner_client, organization):
    recording = import_sample(organization)

    _assert_under(
        "recording_list",
        {
            "recording_detail": owner_client.get(f"/recordings/{recording.pk}/"),
            "recording_delete": owner_client.post(
                f"/recordings/{recording.pk}/delete/"
            ),
        },
    )


def test_an_incidents_pages_mark_incidents(owner_client, organization):
    incident = incident_create(organization=organization)

    _assert_under(
        "incident_history",
        {
            "incident_detail": owner_client.get(f"/incidents/{incident.number}/"),
            "incident_suggest": owner_client.get("/incidents/suggest/"),
        },
    )


def test_settings_pages_and_their_confirmations_mark_settings(
    owner_client, organization, owner
):
    membership = organization.memberships.get(user=owner)
    link, _raw = share_link_create(
        membership=membership, workflow=workflow_in(organization)
    )
    revoke = owner_client.post(f"/share-links/{link.pk}/revoke/")

    assert "Are you sure?" in revoke.content.decode()
    _assert_under(
        "member_list",
        {
            "api_token_list": owner_client.get("/settings/tokens/"),
            "share_link_list": owner_client.get("/settings/share-links/"),
            "system_rule_list": owner_client.get("/workflows/systems/"),
            "share_link_revoke": revoke,
        },
    )


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/dashboard/", "dashboard"),
        ("/recordings/", "recording_list"),
        ("/workflows/", "workflow_list"),
        ("/incidents/", "incident_history"),
        ("/extension/", "extension"),
        ("/settings/members/", "member_list"),
    ],
)
def test_a_sections_own_page_marks_its_link_as_the_page(owner_client, path, section):
    nav = _main_nav(owner_client.get(path))

    assert LINKS[section].format(' aria-current="page"') in nav
    assert _marks(nav) == ["page"]


@pytest.mark.parametrize("path", ["/pricing/", "/upgrade/", "/recording-format/"])
def test_a_page_under_no_section_marks_no_link(owner_client, path):
    assert _marks(_main_nav(owner_client.get(path))) == []
