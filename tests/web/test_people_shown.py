"""Pages name people by their display name: who recorded, who shared."""

import json
import uuid

import pytest

from apps.accounts.services import user_name_set
from apps.recordings.services import recording_import
from apps.sharing.services import share_link_create
from apps.workflows.services import workflow_generate
from tests import factories
from tests.sharing.helpers import SAMPLE, workflow_in
from tests.web.html import CELL

pytestmark = pytest.mark.django_db


def _recorded_by(organization, user, agent=""):
    """Import the sample as ``user`` uploaded it, naming ``agent`` or nobody."""
    raw = json.loads(SAMPLE.read_text())
    raw["id"], raw["agent"] = str(uuid.uuid4()), agent
    recording = recording_import(
        organization=organization, user=user, document=json.dumps(raw).encode()
    )
    workflow = workflow_generate(
        organization=organization, recording=recording, user=user, enqueue=False
    )
    return recording, workflow


def test_a_recording_naming_no_agent_is_by_its_uploader(organization, owner_client):
    priya = factories.member_add(organization=organization)
    user_name_set(user=priya, name="Priya Raman")
    recording, workflow = _recorded_by(organization, priya)

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()
    dashboard = owner_client.get("/dashboard/").content.decode()
    runs = owner_client.get(workflow.get_absolute_url()).content.decode()

    assert "<dt>Agent</dt><dd>Priya Raman</dd>" in page
    assert " · Priya Raman</span>" in dashboard
    assert f"<td{CELL}>Priya Raman</td>" in runs


def test_a_recording_naming_its_agent_keeps_that_name(organization, owner_client):
    priya = factories.member_add(organization=organization)
    user_name_set(user=priya, name="Priya Raman")
    recording, _workflow = _recorded_by(organization, priya, agent="Sam Keller")

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert "<dt>Agent</dt><dd>Sam Keller</dd>" in page
    assert "Priya Raman" not in page.split("</header>")[1]


def test_a_recording_by_nobody_known_says_so(organization, owner, owner_client):
    recording, _workflow = _recorded_by(organization, owner)
    recording.created_by = None
    recording.save(update_fields=["created_by"])

    page = owner_client.get(f"/recordings/{recording.pk}/").content.decode()

    assert "<dt>Agent</dt><dd>not given</dd>" in page


def test_share_links_name_who_made_them(organization, owner, owner_client):
    user_name_set(user=owner, name="Priya Raman")
    share_link_create(
        membership=organization.memberships.get(user=owner),
        workflow=workflow_in(organization),
    )

    page = owner_client.get("/settings/share-links/").content.decode()

    assert '<span class="muted user-text">Priya Raman</span>' in page
    assert owner.email not in page.split("</header>")[1]
