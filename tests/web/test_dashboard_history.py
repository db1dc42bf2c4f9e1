"""The dashboard shows the imported incident history, or invites an import."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.reports.selectors import (
    incident_history_as_of,
    incident_import_latest,
    incident_import_reported,
    incident_stalled,
)
from apps.reports.services import incident_report_build
from apps.web.selectors import incident_history_overview
from tests import factories
from tests.reports.factories import incident_create

pytestmark = pytest.mark.django_db

INVITATION = "Import your ITSM incident history"
CARD = 'id="history-heading"'


def _build(organization):
    # What the task does after each import, run here without a worker.
    return incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )


def _incident(organization, number, *updates):
    rows = [(state, at, "Group 1", "2 - High") for state, at in updates]
    incident_create(organization=organization, number=number, rows=rows)


@pytest.fixture
def history(organization):
    # Resolved in 3 h and in 2 h; the third is open and silent for a day
    # before the history's last update, against a median gap of 1 h.
    incident_create(organization=organization, number="INC0000001")
    _incident(
        organization,
        "INC0000002",
        ("New", "02-03-2016 09:00"),
        ("Active", "02-03-2016 09:30"),
        ("Resolved", "02-03-2016 11:00"),
    )
    _incident(
        organization,
        "INC0000003",
        ("New", "01-03-2016 09:00"),
        ("Active", "01-03-2016 10:00"),
    )
    return _build(organization)


def _dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def _card(body):
    return body.split(CARD)[1].split("</section>")[0]


def test_dashboard_history_card_shows_the_stored_figures(client, owner, history):
    card = _card(_dashboard(client, owner))

    assert "<dt>Incidents</dt><dd>3</dd>" in card
    assert (
        "<dt>Median resolution time (opened to resolved)</dt><dd>2 h 30 min</dd>"
        in card
    )
    assert "<dt>SLA missed</dt><dd>0%</dd>" in card
    assert "<dt>Still open</dt><dd>1</dd>" in card
    assert "<dt>Stalled incidents</dt><dd>1</dd>" in card
    assert f'href="{reverse("incident_history")}"' in card


def test_dashboard_history_names_open_and_stalled_as_the_history_page_does(
    client, owner, organization, history
):
    # Open but updated at the history's last update: open, not stalled.
    _incident(
        organization,
        "INC0000004",
        ("New", "02-03-2016 10:30"),
        ("Active", "02-03-2016 11:00"),
    )
    _build(organization)

    card = _card(_dashboard(client, owner))
    response = client.get(reverse("incident_history"))
    page = response.content.decode()

    assert "<dt>Still open</dt><dd>2</dd>" in card
    assert "<dt>Stalled incidents</dt><dd>1</dd>" in card
    assert response.status_code == HTTPStatus.OK
    assert "<dt>Still open</dt><dd>2</dd>" in page
    assert '<h2 id="stalled-heading">Stalled incidents</h2>' in page
    assert page.count("silent for ") == 1


def test_dashboard_history_stalled_count_matches_the_history_page(
    organization, history
):
    now_ms = 1_900_000_000_000
    overview = incident_history_overview(organization=organization, now_ms=now_ms)

    # The page measures silence up to the history's last update.
    as_of = incident_history_as_of(organization=organization)
    listed = incident_stalled(
        organization=organization,
        typical_gap_ms=history.update_gap_ms,
        now_ms=round(as_of.timestamp() * 1000),
    )
    assert overview["stalled"] == len(listed["incidents"]) == 1


def test_dashboard_history_invites_an_editor_without_history(client, organization):
    factories.incident_history_allow(organization)
    member = factories.member_add(organization=organization, role=Role.MEMBER)

    body = _dashboard(client, member)

    assert INVITATION in body and CARD not in body


def test_dashboard_history_points_an_editor_on_free_to_the_plans(client, organization):
    member = factories.member_add(organization=organization, role=Role.MEMBER)

    body = _dashboard(client, member)

    assert INVITATION not in body and CARD not in body
    assert (
        "Importing your ITSM incident history, to see where resolution time goes "
        "across all your incidents, is not part of the Free plan: "
        '<a href="/upgrade/">see the plans that include it</a>.'
    ) in body


def test_dashboard_history_shows_a_viewer_no_invitation(client, organization):
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)

    body = _dashboard(client, viewer)

    assert INVITATION not in body and CARD not in body


def test_dashboard_history_shows_a_viewer_the_figures(client, organization, history):
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)

    assert "<dt>Incidents</dt><dd>3</dd>" in _card(_dashboard(client, viewer))


def test_dashboard_history_leaves_out_another_organization(
    client, owner, organization, other_organization
):
    factories.incident_history_allow(organization)
    incident_create(organization=other_organization)
    _build(other_organization)

    body = _dashboard(client, owner)

    assert incident_history_overview(organization=organization) is None
    assert CARD not in body and INVITATION in body


def test_dashboard_history_counts_only_its_own_incidents(
    client, owner, history, other_organization
):
    for _ in range(4):
        incident_create(organization=other_organization)
    _build(other_organization)

    card = _card(_dashboard(client, owner))

    assert "<dt>Incidents</dt><dd>3</dd>" in card
    assert "<dt>Stalled incidents</dt><dd>1</dd>" in card


def test_dashboard_history_reads_an_odd_summary_without_failing(
    client, owner, organization, history
):
    history.summary = {"incidents": "many", "made_sla": 3, "missed_sla": None}
    history.save(update_fields=["summary"])

    card = _card(_dashboard(client, owner))

    assert "<dt>Incidents</dt>" not in card
    assert "Median resolution time" not in card and "SLA missed" not in card
    assert "<dt>Stalled incidents</dt><dd>1</dd>" in card


def test_dashboard_history_missed_share_counts_judged_incidents(organization, history):
    history.summary = {**history.summary, "made_sla": 3, "missed_sla": 1}
    history.save(update_fields=["summary"])

    overview = incident_history_overview(organization=organization)

    assert overview["missed_sla_share"] == 0.25


def test_dashboard_history_says_a_report_is_being_built(client, owner, organization):
    incident_create(organization=organization)

    card = _card(_dashboard(client, owner))

    assert incident_import_reported(organization=organization) is None
    assert "is being built" in card
