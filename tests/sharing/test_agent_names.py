"""A shared page calls the agents of the runs it shows, and only them, agents."""

import json
import re
import uuid

import pytest

from apps.accounts.services import user_name_set
from apps.recordings.services import recording_import
from apps.sharing import selectors, services
from apps.sharing.names import name_aliases
from tests import factories
from tests.sharing.helpers import SAMPLE
from tests.workflows.conftest import build_sample

pytestmark = pytest.mark.django_db

VPN = "vpn-certificate-rotation.json"
VPN_SECOND = "vpn-certificate-rotation-second-run.json"
LETTERED = re.compile(r"\b(?:Agent|Person) [A-Z]\b")


@pytest.fixture(autouse=True)
def _no_generate_on_finish(settings):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False


def _recording(organization, name, *, user=None, note=None, **changes):
    """Import sample ``name``, its first note reading ``note`` when given."""
    raw = json.loads(SAMPLE.with_name(name).read_text())
    raw.update(id=str(uuid.uuid4()), **changes)
    if note is not None:
        first = next(e for e in raw["events"] if e.get("type") == "note_added")
        first["note"] = note
    return recording_import(
        organization=organization,
        user=user or organization.memberships.first().user,
        document=json.dumps(raw).encode(),
    )


def _vpn_two_runs(organization):
    workflow = build_sample(organization, _recording(organization, VPN))
    return build_sample(
        organization, _recording(organization, VPN_SECOND), workflow=workflow
    )


def _page(client, organization, workflow, **options):
    membership = organization.memberships.get(role="owner")
    _link, raw = services.share_link_create(
        membership=membership, workflow=workflow, **options
    )
    page = client.get(f"/s/{raw}/").content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _names(sample):
    raw = json.loads(SAMPLE.with_name(sample).read_text())
    return raw.get("agent", "").split()


@pytest.mark.parametrize(
    "sample", sorted(path.name for path in SAMPLE.parent.glob("*.json"))
)
def test_a_single_run_sop_calls_its_agent_the_agent(organization, client, sample):
    workflow = build_sample(organization, _recording(organization, sample))

    for include_report in (False, True):
        page = _page(client, organization, workflow, include_report=include_report)

        assert "Agent A" not in page and "Agent B" not in page
        for name in _names(sample):
            assert name not in page


def test_a_sop_of_one_of_two_runs_names_the_other_agent_a_person(organization, client):
    workflow = _vpn_two_runs(organization)

    page = _page(client, organization, workflow)

    assert "Works through the steps (in the recording: the agent)" in page
    assert not LETTERED.search(page.replace("Person A", ""))
    for name in ("Priya", "Raman", "Tomás", "Ortega", "Marek", "Novak"):
        assert name not in page


def test_a_report_of_two_agents_letters_both_alike_everywhere(organization, client):
    workflow = _vpn_two_runs(organization)

    page = _page(client, organization, workflow, include_report=True)

    assert "Works through the steps (in the recording: Agent A)" in page
    assert "Agent A" in page and "Agent B" in page and "the agent:" not in page
    for name in ("Priya", "Raman", "Tomás", "Ortega"):
        assert name not in page


def test_an_owner_who_recorded_another_run_stays_an_assignee(organization, client):
    # Dana Wright, made the owner in the outage, recorded its second run.
    workflow = build_sample(organization, _recording(organization, SAMPLE.name))
    second = _recording(organization, SAMPLE.name, agent="Dana Wright")
    build_sample(organization, second, workflow=workflow)

    page = _page(client, organization, workflow)

    assert "in the recording: the agent" in page
    assert "Assign the owner: in the recordings, Assignee A (2 of 2 runs)" in page
    assert "Agent A" not in page and "Dana" not in page


def test_the_member_who_recorded_an_unnamed_run_is_the_agent(organization, client):
    # The extension names no agent: the member who uploaded the run is it.
    member = factories.member_add(organization=organization)
    user_name_set(user=member, name="Ines Duarte")
    recording = _recording(
        organization,
        SAMPLE.name,
        user=member,
        note="Ines Duarte restored the uplinks.",
        agent="",
    )
    workflow = build_sample(organization, recording)

    page = _page(client, organization, workflow)

    assert "the agent restored the uplinks." in page
    assert "Ines" not in page and "Agent A" not in page


def test_others_are_persons_after_the_people_chosen():
    aliases = name_aliases(
        ["Sam Keller"], ["Dana Wright"], people=["Jane Doe"], others=["Lena Fischer"]
    )

    assert aliases["Sam Keller"] == "the agent"
    assert aliases["Dana Wright"] == "Assignee A"
    assert aliases["Jane Doe"] == "Person A"
    assert aliases["Lena Fischer"] == aliases["Fischer"] == "Person B"


def test_another_run_agent_who_is_an_owner_here_is_an_assignee():
    aliases = name_aliases(["Sam Keller"], ["Dana Wright"], others=["dana wright"])

    assert aliases["Dana Wright"] == "Assignee A"
    assert "Person A" not in aliases.values()


def _first_visit_renaming(client, organization, monkeypatch, *, name, when, to):
    """Return a hidden-names report link's token, once visited as ``name``.

    The note of its only run names "Kofi Mensah"; a member called ``name``
    is renamed ``to`` just before ``selectors``' function ``when`` runs in
    the first visit, as if by another request meanwhile.
    """
    member = factories.member_add(organization=organization)
    user_name_set(user=member, name=name)
    recording = _recording(
        organization, SAMPLE.name, note="Kofi Mensah restored the uplinks."
    )
    workflow = build_sample(organization, recording)
    _link, token = services.share_link_create(
        membership=organization.memberships.get(role="owner"),
        workflow=workflow,
        include_report=True,
    )
    original = getattr(selectors, when)

    def renamed_meanwhile(*args, **kwargs):
        user_name_set(user=member, name=to)
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, when, renamed_meanwhile)
    client.get(f"/s/{token}/")
    monkeypatch.setattr(selectors, when, original)
    return member, token


def test_a_member_renamed_while_a_report_is_built_is_hidden_on_the_next_visit(
    organization, client, monkeypatch
):
    # Named as the note names them by the time the key is read.
    _member, token = _first_visit_renaming(
        client,
        organization,
        monkeypatch,
        name="Sam Lee",
        when="shared_report_key",
        to="Kofi Mensah",
    )

    page = client.get(f"/s/{token}/").content.decode()

    assert "a colleague restored the uplinks." in page
    assert "Kofi" not in page and "Mensah" not in page


def test_a_report_built_while_a_member_is_renamed_and_back_is_not_kept(
    organization, client, monkeypatch
):
    # Renamed after the key is read, before the names to hide are.
    member, token = _first_visit_renaming(
        client,
        organization,
        monkeypatch,
        name="Kofi Mensah",
        when="_link_aliases",
        to="Sam Lee",
    )
    user_name_set(user=member, name="Kofi Mensah")

    page = client.get(f"/s/{token}/").content.decode()

    assert "a colleague restored the uplinks." in page
    assert "Kofi" not in page and "Mensah" not in page
