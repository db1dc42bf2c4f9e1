import json
import unicodedata
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Plan, Role, User
from apps.accounts.services import organization_create, user_name_set
from apps.core.jobs import background_wait
from apps.recordings.selectors import recording_get
from apps.recordings.services import recording_import
from apps.reports.selectors import incident_import_latest, incident_list
from apps.reports.services import incidents_import
from apps.workflows.selectors import run_for_recording
from apps.workflows.services import system_rule_create, workflow_generate
from apps.workflows.steps import TOPICS

SAMPLES = Path(settings.BASE_DIR) / "apps" / "recordings" / "samples"
# A real, anonymised ServiceNow audit export (see its README), so the incident
# history, its report and the suggestions have something to show.
HISTORY = Path(settings.BASE_DIR) / "apps" / "reports" / "samples"
HISTORY_SAMPLE = HISTORY / "servicenow-incident-log.csv"
DEMO_EMAIL = "demo@ledgerium.test"
DEMO_PASSWORD = "ledgerium-demo"
DEMO_NAME = "Alex Morgan"
# Staff reach the Django admin, where an organization's plan is changed. Made
# only where settings.LEDGERIUM_DEMO_STAFF allows, as the password is printed.
DEMO_STAFF_EMAIL = "staff@ledgerium.test"
DEMO_STAFF_PASSWORD = "ledgerium-demo-staff"
# The agents who recorded the samples, and the colleagues they made owners in
# the service desk, join as members at a domain reserved for examples; they
# have no password, so no one logs in as them.
DEMO_AGENT_DOMAIN = "example.com"
OWNER_FIELD = dict(TOPICS)["owner"]
DEMO_ORGANIZATION = "Demo Service Desk"
# In load order; the workflow list shows the newest first, so the last one
# heads it. A sample naming another joins that one's workflow as a further
# run, so the report compares two agents' ways through the same incident.
# real-incident.json, recorded against local test servers, stays out.
DEMO_SAMPLES = (
    ("network-outage.json", None),
    ("laptop-recovery-key.json", None),
    ("mail-queue-backlog.json", None),
    ("vpn-certificate-rotation.json", None),
    ("vpn-certificate-rotation-second-run.json", "vpn-certificate-rotation.json"),
)
BUILD_TIMEOUT_SECONDS = 300
DEMO_SYSTEM_RULES = [
    ("itsm.example.com", "IT Service Desk", "itsm"),
    ("grafana.example.com", "Grafana", "monitoring"),
    ("admin.example.net", "Admin console", "admin"),
    ("mail.example.com", "Webmail", "communication"),
    ("chat.example.com", "Team chat", "communication"),
]


class Command(BaseCommand):
    help = "Create the demo organization and user and load the sample incidents."

    def handle(self, *args, **options):
        _user, organization = self._demo_account()
        staff = settings.LEDGERIUM_DEMO_STAFF
        if staff:
            demo_login(DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, is_staff=True)
        workflows, loaded = {}, []
        for name, joins in DEMO_SAMPLES:
            document = json.loads((SAMPLES / name).read_bytes())
            agent = self._demo_member(document["agent"], organization)
            for owner in sample_owners(document):
                self._demo_member(owner, organization)
            recording, workflows[name] = self._load(
                SAMPLES / name, organization, agent, workflows.get(joins)
            )
            loaded.append((name, recording))
        history = self._load_history(organization)
        # On the embedded default the builds run on a background thread of
        # this process; say how they ended, not that they were queued.
        self._wait_for_builds()
        for name, recording in loaded:
            run = run_for_recording(organization=organization, recording=recording)
            self.stdout.write(
                f"Sample {name}: {recording.title} ({run.workflow.get_state_display()})"
            )
        latest = incident_import_latest(organization=organization)
        if history and latest is not None:
            self.stdout.write(
                f"Incident history: {history} incidents imported "
                f"(report {latest.get_state_display()})"
            )

        self.stdout.write(self.style.SUCCESS("\nLedgerium demo is ready."))
        self.stdout.write(ready_text(settings.SITE_URL, staff=staff))

    @transaction.atomic
    def _demo_account(self):
        user = demo_login(DEMO_EMAIL, DEMO_PASSWORD)
        if not user.name:
            user_name_set(user=user, name=DEMO_NAME)
        membership = Membership.objects.filter(
            user=user, organization__name=DEMO_ORGANIZATION
        ).first()
        if membership is not None:
            return user, membership.organization
        # The Team plan, so the demo can generate more than Free's five and
        # import the sample incident history, which Free does not include.
        organization = organization_create(
            name=DEMO_ORGANIZATION, owner=user, plan=Plan.objects.get(slug="team")
        )
        membership = organization.memberships.get(user=user)
        for host, name, kind in DEMO_SYSTEM_RULES:
            system_rule_create(
                membership=membership, host_pattern=host, name=name, kind=kind
            )
        return user, organization

    @transaction.atomic
    def _demo_member(self, name, organization):
        """Return the member named ``name``, adding them the first time."""
        user, created = User.objects.get_or_create(email=demo_agent_email(name))
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user_name_set(user=user, name=name)
        Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": Role.MEMBER}
        )
        return user

    def _load(self, sample, organization, user, workflow):
        # One transaction, so that the recording's finish, sent on commit,
        # finds it already generated, in ``workflow`` when one is given.
        with transaction.atomic():
            recording = recording_import(
                organization=organization, user=user, document=sample.read_bytes()
            )
            workflow = workflow_generate(
                organization=organization,
                recording=recording,
                workflow=workflow,
                user=user,
            )
        recording = recording_get(organization=organization, recording_id=recording.pk)
        return recording, workflow

    def _load_history(self, organization):
        """Import the sample incident history once; return how many it held."""
        if incident_list(organization=organization).exists():
            return 0
        with transaction.atomic():
            created, _replaced, _rows = incidents_import(
                organization=organization,
                text=HISTORY_SAMPLE.read_text(encoding="utf-8"),
            )
        return created

    def _wait_for_builds(self, timeout=BUILD_TIMEOUT_SECONDS):
        # With a worker the builds end in their own time; on the embedded
        # default they run on this process's background thread.
        if settings.LEDGERIUM_TASKS_IN_THREAD:
            background_wait(timeout)


@transaction.atomic
def demo_login(email, password, *, is_staff=False):
    """Return the user of ``email``, made the first time with ``password``.

    A staff login is a superuser, so that it may change any organization's
    plan in the admin; its address is verified as the demo user's is.
    """
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    create = User.objects.create_superuser if is_staff else User.objects.create_user
    user = create(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def ready_text(site, *, staff):
    """Return the logins and the pages to open, said once the demo is loaded."""
    lines = [
        f"  The demo user, owner of {DEMO_ORGANIZATION}: its workflows and incidents",
        f"    Log in:    {site}/accounts/login/",
        f"    Email:     {DEMO_EMAIL}",
        f"    Password:  {DEMO_PASSWORD}",
        f"    Dashboard: {site}/dashboard/",
        f"    Workflows: {site}/workflows/",
        f"    Incidents: {site}/incidents/",
    ]
    if staff:
        lines += [
            "  Staff, in the Django admin, where an organization's plan is changed",
            f"    Log in:    {site}/staff/",
            f"    Email:     {DEMO_STAFF_EMAIL}",
            f"    Password:  {DEMO_STAFF_PASSWORD} (for this demo only)",
        ]
    else:
        lines += [
            "  Staff, in the Django admin, where an organization's plan is changed:",
            "    run `.venv/bin/python manage.py createsuperuser`,"
            f" then open {site}/staff/",
        ]
    lines += [
        "  Sign up for another organization",
        f"    {site}/accounts/signup/"
        " (the confirmation link is printed in this console)",
    ]
    return "\n".join(lines) + "\n"


def sample_owners(document):
    """Return the people a sample made an owner ("Assigned to"), in order."""
    owners = (
        event["value"]
        for event in document["events"]
        if event.get("value") and OWNER_FIELD.search(event.get("label", ""))
    )
    return list(dict.fromkeys(owners))


def demo_agent_email(name):
    """Return "tomas.ortega@example.com" for "Tomás Ortega"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    return f"{'.'.join(ascii_name.decode().lower().split())}@{DEMO_AGENT_DOMAIN}"
