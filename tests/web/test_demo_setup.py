"""``manage.py demo_setup`` loads the demo, and running it again changes nothing.

Builds wait for the commit that never comes inside a test's transaction, so
these tests check what the command writes itself; ``tests/core/
test_embedded.py`` runs it for real, builds and renders included.
"""

import io
import os
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from apps.accounts.models import Membership, Organization, User
from apps.recordings.models import Recording
from apps.reports.models import Incident, IncidentImport
from apps.web.management.commands.demo_setup import (
    DEMO_EMAIL,
    DEMO_NAME,
    DEMO_ORGANIZATION,
    DEMO_SAMPLES,
    DEMO_STAFF_EMAIL,
    DEMO_STAFF_PASSWORD,
    demo_agent_email,
    sample_owners,
)
from apps.workflows.models import Run, SystemRule, Workflow
from tests.core.test_embedded import CONFIGURED

pytestmark = pytest.mark.django_db


def _demo_setup():
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    return out.getvalue()


def _state():
    return {
        "users": sorted(User.objects.values_list("email", "name")),
        "memberships": list(
            Membership.objects.values_list("organization__name", "user__email", "role")
        ),
        "recordings": sorted(Recording.objects.values_list("id", "event_count")),
        "workflows": list(Workflow.objects.values_list("id", "title")),
        "runs": sorted(
            Run.objects.values_list(
                "workflow_id", "recording__agent", "recording__created_by__name"
            )
        ),
        "rules": list(SystemRule.objects.values_list("host_pattern", "name", "kind")),
    }


def test_demo_setup_loads_every_demo_sample_once():
    output = _demo_setup()

    assert (DEMO_EMAIL, DEMO_NAME) in _state()["users"]
    assert (DEMO_ORGANIZATION, DEMO_EMAIL, "owner") in _state()["memberships"]
    assert Recording.objects.count() == len(DEMO_SAMPLES)
    for name, _joins in DEMO_SAMPLES:
        assert f"Sample {name}: " in output


def test_demo_setup_heads_the_list_with_two_agents_on_one_workflow():
    _demo_setup()

    newest = Workflow.objects.first()
    agents = sorted(Run.objects.filter(workflow=newest).values_list("recording__agent"))
    assert newest.title == "VPN login failures after certificate rotation"
    assert agents == [("Priya Raman",), ("Tomás Ortega",)]
    assert Workflow.objects.count() == len(DEMO_SAMPLES) - 1


def test_demo_setup_names_the_sample_systems_and_no_loopback_port():
    _demo_setup()

    assert sorted(SystemRule.objects.values_list("host_pattern", "kind")) == [
        ("admin.example.net", "admin"),
        ("chat.example.com", "communication"),
        ("grafana.example.com", "monitoring"),
        ("itsm.example.com", "itsm"),
        ("mail.example.com", "communication"),
    ]


def test_demo_setup_twice_changes_nothing():
    _demo_setup()
    first = _state()

    _demo_setup()

    assert _state() == first


AGENTS = ["Amara Okafor", "Lena Fischer", "Priya Raman", "Sam Keller", "Tomás Ortega"]
# Colleagues the samples assign, who recorded none of them.
OWNERS = ["Dana Wright", "Marek Novak"]


def test_demo_setup_makes_each_agent_and_owner_a_named_member_who_cannot_log_in():
    _demo_setup()

    members = Membership.objects.filter(role="member").select_related("user")
    assert sorted(m.user.name for m in members) == sorted(AGENTS + OWNERS)
    for member in members:
        assert member.organization.name == DEMO_ORGANIZATION
        assert member.user.email == demo_agent_email(member.user.name)
        assert member.user.email.endswith("@example.com")
        assert not member.user.has_usable_password()
    assert demo_agent_email("Tomás Ortega") == "tomas.ortega@example.com"


def test_demo_setup_loads_each_sample_as_its_agent_recorded_it():
    _demo_setup()

    for recording in Recording.objects.select_related("created_by"):
        assert recording.created_by.name == recording.agent
    assert User.objects.get(email=DEMO_EMAIL).name == DEMO_NAME


def test_demo_setup_keeps_a_name_the_demo_user_chose():
    _demo_setup()
    User.objects.filter(email=DEMO_EMAIL).update(name="Jo Park")

    _demo_setup()

    assert User.objects.get(email=DEMO_EMAIL).name == "Jo Park"


def test_sample_owners_are_the_people_assigned_once_each():
    document = {
        "events": [
            {"label": "Assigned to", "value": "Dana Wright"},
            {"label": "Assignment group", "value": "Network"},
            {"label": "Assigned to", "value": "Dana Wright"},
            {"label": "Note"},
            {"value": "Marek Novak"},
        ]
    }

    assert sample_owners(document) == ["Dana Wright"]


def test_demo_setup_imports_the_sample_incident_history_once():
    first = _demo_setup()
    second = _demo_setup()

    assert Incident.objects.count() == 650
    assert IncidentImport.objects.count() == 1
    assert Membership.objects.get(
        user__email=DEMO_EMAIL
    ).organization.plan.incident_history
    assert "Incident history: 650 incidents imported" in first
    assert "Incident history" not in second


@override_settings(LEDGERIUM_DEMO_STAFF=True)
def test_demo_setup_makes_a_staff_login_that_reaches_the_admin_once():
    output = _demo_setup()
    _demo_setup()
    organization = Organization.objects.get(name=DEMO_ORGANIZATION)
    client = Client()

    logged_in = client.post(
        "/staff/login/",
        {"username": DEMO_STAFF_EMAIL, "password": DEMO_STAFF_PASSWORD},
    )
    change = client.get(f"/staff/accounts/organization/{organization.pk}/change/")

    assert User.objects.filter(is_staff=True).count() == 1
    assert logged_in.status_code == HTTPStatus.FOUND
    assert change.status_code == HTTPStatus.OK
    assert f"    Log in:    {settings.SITE_URL}/staff/\n" in output
    assert f"    Email:     {DEMO_STAFF_EMAIL}\n" in output
    assert f"    Password:  {DEMO_STAFF_PASSWORD} (for this demo only)\n" in output
    assert f"    Email:     {DEMO_EMAIL}\n" in output
    assert "createsuperuser" not in output


def test_demo_setup_makes_no_staff_login_unless_settings_allow_it():
    output = _demo_setup()

    assert not User.objects.filter(is_staff=True).exists()
    assert DEMO_STAFF_PASSWORD not in output
    assert "manage.py createsuperuser`, then open" in output


# Settings, read in a fresh interpreter: a deployment's never allow a staff
# login with a printed password; the embedded demo's do.
DEMO_STAFF_SETTING = (
    "import django; django.setup(); from django.conf import settings;"
    " print(settings.LEDGERIUM_DEMO_STAFF)"
)


@pytest.mark.parametrize(
    ("module", "configured", "allowed"),
    [
        ("ledgerium.settings.local", {}, "True"),
        ("ledgerium.settings.local", {"DATABASE_URL": "sqlite:////tmp/x"}, "False"),
        (
            "ledgerium.settings.production",
            {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.com"},
            "False",
        ),
    ],
)
def test_demo_staff_login_is_allowed_on_the_embedded_database_only(
    module, configured, allowed
):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(CONFIGURED)}
    env = {**clean, **configured, "DJANGO_SETTINGS_MODULE": module}

    result = subprocess.run(
        [sys.executable, "-c", DEMO_STAFF_SETTING],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == allowed
