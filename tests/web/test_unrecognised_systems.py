"""Steps on hosts no rule names: the notice on the recording and workflow pages."""

import uuid
from http import HTTPStatus

import pytest
from django.test import Client

from apps.accounts.models import Role
from apps.recordings.services import recording_import
from apps.workflows import services
from tests import factories
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_sample

pytestmark = pytest.mark.django_db

LOCAL = "http://127.0.0.1:48081"
NOTICE = "data-unrecognised-systems"
SETTINGS_LINK = "/workflows/systems/?host=127.0.0.1%3A48081"


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _local_recording(organization):
    b = rf.RecordingBuilder()
    b.nav(LOCAL, "/incidents/INC0012345", "INC0012345 | Helpdesk")
    b.edit("Short description")
    b.submit("Save")
    b.nav(rf.SNOW, "/now/nav/ui", "Incidents")
    recording = b.recording(id=str(uuid.uuid4()), title="Local helpdesk")
    return recording_import(
        organization=organization,
        user=organization.memberships.first().user,
        document=rf.encode(recording),
    )


def _viewer_client(organization):
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    return client


def test_recording_page_lists_unrecognised_hosts_with_a_link_to_name_them(
    organization, owner_client
):
    recording = _local_recording(organization)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert NOTICE in page
    assert "Unrecognised system (127.0.0.1:48081)" in page
    assert "<code>127.0.0.1:48081</code>" in page
    assert SETTINGS_LINK in page
    assert "ServiceNow</code>" not in page


def test_workflow_page_offers_editors_to_generate_again(organization, owner_client):
    workflow = build_sample(organization, _local_recording(organization))

    page = owner_client.get(workflow.get_absolute_url()).content.decode()
    notice = page[page.index(NOTICE) : page.index("</section>", page.index(NOTICE))]

    assert "<code>127.0.0.1:48081</code>" in notice
    assert SETTINGS_LINK in notice
    assert f"/workflows/{workflow.pk}/regenerate/" in notice


def test_viewer_sees_the_notice_without_the_actions(organization):
    recording = _local_recording(organization)
    workflow = build_sample(organization, recording)
    client = _viewer_client(organization)

    for url in (f"/recordings/{recording.pk}/", workflow.get_absolute_url()):
        page = client.get(url).content.decode()
        notice = page[page.index(NOTICE) : page.index("</section>", page.index(NOTICE))]

        assert "<code>127.0.0.1:48081</code>" in notice
        assert "/workflows/systems/" not in notice
        assert "/regenerate/" not in notice
        assert "An owner, admin or member can name these systems" in notice


def test_a_rule_and_generate_again_rename_the_steps_and_drop_the_notice(
    organization, owner, owner_client
):
    workflow = build_sample(organization, _local_recording(organization))
    membership = organization.memberships.get(user=owner)
    services.system_rule_create(
        membership=membership,
        host_pattern="127.0.0.1:48081",
        name="Local helpdesk",
        kind="itsm",
    )

    before = owner_client.get(workflow.get_absolute_url()).content.decode()
    services.workflow_regenerate(membership=membership, workflow=workflow)
    run = workflow.reference_run
    run.refresh_from_db()
    services.run_build(run=run, generation=run.generation)
    after = owner_client.get(workflow.get_absolute_url()).content.decode()

    assert NOTICE in before
    assert NOTICE not in after
    assert "Local helpdesk" in after


def test_recognised_recording_shows_no_notice(organization, owner_client):
    b = rf.RecordingBuilder()
    b.nav(rf.SNOW, "/now/nav/ui", "Incidents")
    recording = recording_import(
        organization=organization,
        user=organization.memberships.first().user,
        document=rf.encode(b.recording(id=str(uuid.uuid4()))),
    )

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert NOTICE not in page


def test_systems_page_prefills_the_host(owner_client):
    response = owner_client.get("/workflows/systems/?host=127.0.0.1%3A48081")

    assert response.status_code == HTTPStatus.OK
    assert 'value="127.0.0.1:48081" autofocus' in response.content.decode()


def test_systems_page_escapes_the_prefilled_host(owner_client):
    page = owner_client.get('/workflows/systems/?host="><b>x').content.decode()

    assert "<b>x" not in page
    assert "&quot;&gt;&lt;b&gt;x" in page


def test_naming_a_system_from_a_workflow_leads_back_to_it(organization, owner_client):
    workflow = build_sample(organization, _local_recording(organization))
    page = owner_client.get(workflow.get_absolute_url()).content.decode()
    back = f"&amp;next=/workflows/{workflow.pk}/&amp;workflow={workflow.pk}"
    systems = owner_client.get(
        "/workflows/systems/",
        {"host": "127.0.0.1:48081", "next": workflow.get_absolute_url()},
    ).content.decode()

    added = owner_client.post(
        "/workflows/systems/",
        {
            "host_pattern": "127.0.0.1:48081",
            "name": "Helpdesk",
            "kind": "itsm",
            "next": workflow.get_absolute_url(),
            "workflow": str(workflow.pk),
        },
    )
    landed = owner_client.get(added["Location"]).content.decode()

    assert SETTINGS_LINK + back in page
    assert f'<input type="hidden" name="next" value="/workflows/{workflow.pk}/">' in (
        systems
    )
    assert added.status_code == HTTPStatus.FOUND
    assert added["Location"] == f"/workflows/{workflow.pk}/"
    assert "Rule added; it applies to workflows generated from now on." in landed
    assert f'action="/workflows/{workflow.pk}/regenerate/"' in landed


def test_systems_page_opened_from_a_workflow_offers_the_way_back(
    organization, owner_client
):
    workflow = build_sample(organization, _local_recording(organization))

    systems = owner_client.get(
        "/workflows/systems/",
        {"next": workflow.get_absolute_url(), "workflow": workflow.pk},
    ).content.decode()

    assert (
        f'<a href="/workflows/{workflow.pk}/">Back to “Local helpdesk”</a>' in systems
    )
    assert f'action="/workflows/{workflow.pk}/regenerate/"' in systems


def test_adding_a_rule_without_a_way_back_stays_on_systems(owner_client):
    added = owner_client.post(
        "/workflows/systems/",
        {"host_pattern": "intranet.example", "name": "Intranet", "kind": "other"},
    )

    assert added.status_code == HTTPStatus.FOUND
    assert added["Location"] == "/workflows/systems/"


@pytest.mark.parametrize(
    "target",
    ["https://elsewhere.example/", "//elsewhere.example/x", "/\\elsewhere.example"],
)
def test_adding_a_rule_never_leads_to_another_site(owner_client, target):
    added = owner_client.post(
        "/workflows/systems/",
        {
            "host_pattern": "intranet.example",
            "name": "Intranet",
            "kind": "other",
            "next": target,
        },
    )

    assert added.status_code == HTTPStatus.FOUND
    assert added["Location"] == "/workflows/systems/"


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:x"]
)
def test_systems_page_offers_no_way_back_to_another_site(owner_client, target):
    page = owner_client.get("/workflows/systems/", {"next": target}).content.decode()

    assert "data-systems-back" not in page
    assert "elsewhere.example" not in page


def test_systems_page_offers_no_way_back_to_another_organizations_workflow(
    organization, owner_client
):
    other, _owner = factories.organization_with_owner(name="Elsewhere IT")
    theirs = build_sample(other, _local_recording(other))

    page = owner_client.get(
        "/workflows/systems/", {"next": "/workflows/", "workflow": theirs.pk}
    ).content.decode()

    assert '<a href="/workflows/">Back to the page you came from</a>' in page
    assert f"/workflows/{theirs.pk}/regenerate/" not in page
