from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import ApiToken, MonthlyUsage, Plan, Role
from apps.accounts.selectors import month_start
from apps.recordings.models import Recording
from apps.workflows.models import State, Workflow
from tests import factories
from tests.sharing.helpers import workflow_in
from tests.web.html import unlabelled_controls

pytestmark = pytest.mark.django_db


def _use(organization, count):
    MonthlyUsage.objects.create(
        organization=organization,
        month=month_start(organization=organization),
        workflows_created=count,
    )


def test_home_sends_a_member_to_the_dashboard(owner_client):
    response = owner_client.get("/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/dashboard/"


def test_pricing_lists_every_plan_with_its_limit(client):
    response = client.get("/pricing/")

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "5 workflows a month" in page
    assert "50 workflows a month" in page
    assert "Unlimited workflows" in page
    assert "$49 a month" in page


def test_upgrade_gives_the_address_to_write_to(client, settings):
    settings.LEDGERIUM_SALES_EMAIL = "sales@ledgerium.example"

    page = client.get("/upgrade/").content.decode()

    assert (
        '<a href="mailto:sales@ledgerium.example">sales@ledgerium.example</a>' in page
    )


def test_upgrade_without_an_address_sends_owners_to_their_contact(client, settings):
    settings.LEDGERIUM_SALES_EMAIL = ""

    page = client.get("/upgrade/").content.decode()

    assert "mailto:" not in page
    assert "asks their Ledgerium contact" in page


def test_upgrade_marks_the_current_plan(owner_client):
    response = owner_client.get("/upgrade/")

    assert response.status_code == HTTPStatus.OK
    assert b"your plan" in response.content
    assert b"Our staff apply the plan" in response.content


def test_upgrade_shows_a_staff_override_on_the_current_plan(organization, owner_client):
    organization.workflow_limit_override = 10
    organization.save()

    page = owner_client.get("/upgrade/").content.decode()

    current = page.split('class="card plan current"')[1].split("</section>")[0]
    assert "10 workflows a month" in current
    assert "set for your organization by our staff" in current
    assert "5 workflows a month" not in current


def test_upgrade_shows_the_plan_limit_without_an_override(owner_client):
    page = owner_client.get("/upgrade/").content.decode()

    current = page.split('class="card plan current"')[1].split("</section>")[0]
    assert "5 workflows a month" in current
    assert "by our staff" not in current


def test_dashboard_shows_the_quota_bar_and_reset_date(organization, owner_client):
    _use(organization, 3)

    response = owner_client.get("/dashboard/")

    page = response.content.decode()
    assert 'aria-valuenow="3"' in page
    assert 'aria-valuemax="5"' in page
    assert "width: 60%" in page
    assert "3 of 5 used; the count resets on" in page


def test_dashboard_says_when_the_quota_is_used_up(organization, owner_client):
    _use(organization, 5)

    response = owner_client.get("/dashboard/")

    assert b"used up" in response.content
    assert b'class="meter full"' in response.content


def test_dashboard_lists_only_own_recordings(
    organization, other_organization, owner_client
):
    Recording.objects.create(organization=organization, title="Printer on fire")
    Recording.objects.create(organization=other_organization, title="Globex secret")

    page = owner_client.get("/dashboard/").content.decode()

    assert "Printer on fire" in page
    assert "Globex secret" not in page


def test_dashboard_status_returns_usage_without_caching(organization, owner_client):
    _use(organization, 2)

    response = owner_client.get("/dashboard/status/")

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "no-store"
    usage = response.json()["usage"]
    assert (usage["used"], usage["limit"], usage["left"]) == (2, 5, 3)


def test_plan_usage_is_for_owners_only(organization):
    admin = factories.member_add(organization=organization, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)

    response = client.get("/settings/plan/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"Only owners see the plan" in response.content


def test_plan_usage_shows_a_staff_override_at_once(organization, owner_client):
    organization.plan = Plan.objects.get(slug="team")
    organization.workflow_limit_override = 7
    organization.save()

    page = owner_client.get("/settings/plan/").content.decode()

    assert "Team plan" in page
    assert "set for your organization by our staff" in page
    assert "0 of 7 used" in page


def test_extension_connect_returns_a_fresh_token(organization, owner, owner_client):
    response = owner_client.post("/extension/connect/", HTTP_ACCEPT="application/json")

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["server"] == "http://testserver"
    token = ApiToken.objects.get(token_hash=ApiToken.hash(body["token"]))
    assert token.organization == organization
    assert token.user == owner and token.is_active
    assert token.source == ApiToken.Source.CONNECT


def _client_as(organization, role):
    user = factories.member_add(organization=organization, role=role)
    client = Client()
    client.force_login(user)
    return client, user


def test_extension_connect_refuses_a_viewer(organization):
    client, viewer = _client_as(organization, Role.VIEWER)

    response = client.post("/extension/connect/", HTTP_ACCEPT="application/json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    assert not ApiToken.objects.filter(user=viewer).exists()


def test_extension_connect_without_script_mints_nothing(owner_client):
    response = owner_client.post("/extension/connect/", follow=True)

    assert response.redirect_chain == [("/settings/tokens/", HTTPStatus.FOUND)]
    assert b"Connecting in one click needs scripts" in response.content
    assert not ApiToken.objects.exists()


def test_extension_connect_without_script_refuses_a_viewer(organization):
    client, viewer = _client_as(organization, Role.VIEWER)

    response = client.post("/extension/connect/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"Viewers cannot record" in response.content
    assert not ApiToken.objects.filter(user=viewer).exists()


def _extension_built(settings, tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "ledgerium-extension.zip").write_bytes(b"PK")
    settings.BASE_DIR = tmp_path


def test_extension_page_tells_a_viewer_whom_to_ask(organization, owner):
    owner.name = "Dana Owner"
    owner.save()
    admin = factories.member_add(organization=organization, role=Role.ADMIN)
    member = factories.member_add(organization=organization, role=Role.MEMBER)
    client, _viewer = _client_as(organization, Role.VIEWER)

    page = client.get("/extension/").content.decode()

    assert "Your role in Acme IT is Viewer, and viewers cannot record." in page
    assert f"Dana Owner ({owner.email}) · Owner" in page
    assert f"{admin.email} · Admin" in page
    assert member.email not in page


def test_extension_page_offers_a_viewer_no_download_connect_or_steps(
    organization, settings, tmp_path
):
    client, _viewer = _client_as(organization, Role.VIEWER)
    _extension_built(settings, tmp_path)

    page = client.get("/extension/").content.decode()

    assert "/extension/download/" not in page
    assert "/extension/connect/" not in page
    assert "Unzip the file" not in page
    assert "Start recording" not in page


def test_extension_page_offers_a_member_download_connect_and_steps(
    organization, settings, tmp_path
):
    client, _member = _client_as(organization, Role.MEMBER)
    _extension_built(settings, tmp_path)

    page = client.get("/extension/").content.decode()

    assert "/extension/download/" in page
    assert "/extension/connect/" in page
    assert "Start recording" in page
    assert "viewers cannot record" not in page


def test_extension_connect_refuses_get(owner_client):
    assert owner_client.get("/extension/connect/").status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )


def test_extension_download_is_404_until_built(owner_client, settings, tmp_path):
    settings.BASE_DIR = tmp_path

    assert owner_client.get("/extension/download/").status_code == HTTPStatus.NOT_FOUND
    assert b"not built on this server" in owner_client.get("/extension/").content


def test_extension_download_serves_the_built_zip(owner_client, settings, tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "ledgerium-extension.zip").write_bytes(b"PK\x05\x06zip")
    settings.BASE_DIR = tmp_path

    response = owner_client.get("/extension/download/")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"PK\x05\x06zip"
    assert "ledgerium-extension.zip" in response["Content-Disposition"]


def test_search_finds_only_own_organization(
    organization, other_organization, owner_client
):
    Recording.objects.create(organization=organization, title="VPN drops at night")
    Recording.objects.create(organization=other_organization, title="VPN at Globex")

    page = owner_client.get("/search/", {"q": "vpn"}).content.decode()

    assert "<mark>VPN</mark> drops at night" in page
    assert "Globex" not in page


def test_search_says_when_nothing_matches(owner_client):
    page = owner_client.get("/search/", {"q": "nothing here"}).content.decode()

    assert "matches “nothing here”" in page


def test_search_refuses_one_character(owner_client):
    response = owner_client.get("/search/", {"q": "a"})

    assert b"Type at least 2 characters." in response.content


@pytest.mark.parametrize(
    "path",
    ["/", "/pricing/", "/upgrade/", "/accounts/login/", "/accounts/signup/"],
)
def test_public_page_has_a_title_and_labels(client, path):
    page = client.get(path).content.decode()

    assert unlabelled_controls(page) == []
    assert "<title>" in page and "<title> · Ledgerium" not in page


@pytest.mark.parametrize(
    "path",
    ["/dashboard/", "/search/?q=vpn", "/extension/", "/upload/", "/settings/plan/"],
)
def test_member_page_has_a_title_and_labels(owner_client, path):
    page = owner_client.get(path).content.decode()

    assert unlabelled_controls(page) == []
    assert "<title>" in page and "<title> · Ledgerium" not in page


def test_search_finds_workflows_and_steps_of_own_organization(
    organization, other_organization, owner_client
):
    ours = workflow_in(organization, title="Berlin network outage")
    workflow_in(other_organization, title="Globex network outage")

    page = owner_client.get("/search/", {"q": "NETWORK"}).content.decode()
    steps = owner_client.get("/search/", {"q": "enter caller"}).content.decode()

    assert "Berlin <mark>network</mark> outage" in page
    assert "Globex" not in page and "Globex" not in steps
    assert "<mark>Enter</mark> <mark>Caller</mark>" in steps
    assert f"{ours.get_absolute_url()}#step-" in steps


def test_dashboard_status_reports_a_generating_workflow_as_busy(
    organization, owner_client
):
    workflow = workflow_in(organization, title="Still generating")
    Workflow.objects.filter(pk=workflow.pk).update(state=State.RUNNING, progress=40)

    body = owner_client.get("/dashboard/status/").json()
    page = owner_client.get("/dashboard/").content.decode()

    assert body["busy"] is True
    item = body["items"][0]
    assert (item["key"], item["state"], item["progress"]) == (
        f"workflow:{workflow.pk}",
        "running",
        40,
    )
    assert item["url"] == workflow.get_absolute_url()
    assert 'data-busy="true"' in page
    assert 'value="40"' in page


def test_dashboard_status_is_idle_once_ready(organization, owner_client):
    workflow_in(organization)

    body = owner_client.get("/dashboard/status/").json()

    assert body["busy"] is False
    assert body["items"][0]["state"] == "ready"


def test_dashboard_status_renders_the_quota_block(organization, owner_client):
    _use(organization, 4)

    body = owner_client.get("/dashboard/status/").json()

    assert body["usage_html"].lstrip().startswith('<div class="usage" data-usage>')
    assert "4 of 5 used" in body["usage_html"]


def test_dashboard_names_the_role_in_a_sentence(owner_client):
    page = owner_client.get("/dashboard/").content.decode()

    assert "plan · Your role: Owner" in page


def test_not_found_page_links_home(owner_client):
    response = owner_client.get("/no-such-page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert '<a href="/">Back to Ledgerium</a>' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.MEMBER, True), (Role.ADMIN, True), (Role.VIEWER, False)]
)
def test_main_menu_offers_upload_to_whoever_may_upload(organization, role, shown):
    client = Client()
    client.force_login(factories.member_add(organization=organization, role=role))

    page = client.get("/dashboard/").content.decode()

    assert ('<a href="/upload/">Upload</a>' in page) is shown


def test_main_menu_marks_the_upload_page(owner_client):
    page = owner_client.get("/upload/").content.decode()

    assert '<a href="/upload/" aria-current="page">Upload</a>' in page


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/workflows/", '<a href="/workflows/" aria-current="page">Workflows</a>'),
        ("/incidents/", '<a href="/incidents/" aria-current="page">Incidents</a>'),
    ],
)
def test_main_menu_marks_the_workflows_and_incidents_pages(owner_client, path, link):
    response = owner_client.get(path)
    page = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert link in page
    assert page.count('aria-current="page"') == 1


def test_main_menu_marks_neither_workflows_nor_incidents_elsewhere(owner_client):
    page = owner_client.get("/dashboard/").content.decode()

    assert '<a href="/workflows/">Workflows</a>' in page
    assert '<a href="/incidents/">Incidents</a>' in page
