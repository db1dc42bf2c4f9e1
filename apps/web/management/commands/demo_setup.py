from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Plan, User
from apps.accounts.services import organization_create
from apps.recordings.selectors import recording_get
from apps.recordings.services import recording_import
from apps.workflows.selectors import run_for_recording
from apps.workflows.services import system_rule_create

SAMPLES = Path(settings.BASE_DIR) / "apps" / "recordings" / "samples"
DEMO_EMAIL = "demo@ledgerium.test"
DEMO_PASSWORD = "ledgerium-demo"
DEMO_ORGANIZATION = "Demo Service Desk"
# The real incident was recorded against django-helpdesk and Prometheus on
# these loopback ports; the rules name them as an organization would.
DEMO_SYSTEM_RULES = [
    ("127.0.0.1:48081", "Helpdesk", "itsm"),
    ("127.0.0.1:49091", "Prometheus", "monitoring"),
]


class Command(BaseCommand):
    help = "Create the demo organization and user and load the sample incidents."

    def handle(self, *args, **options):
        user, organization = self._demo_account()
        for sample in sorted(SAMPLES.glob("*.json")):
            self._load(sample, organization, user)

        site = settings.SITE_URL
        self.stdout.write(
            self.style.SUCCESS("\nLedgerium demo is ready.")
            + f"\n  Log in:      {site}/accounts/login/"
            + f"\n  Email:       {DEMO_EMAIL}\n  Password:    {DEMO_PASSWORD}"
            + f"\n  Dashboard:   {site}/dashboard/"
            + f"\n  Workflows:   {site}/workflows/"
            + f"\n  Sign up:     {site}/accounts/signup/ (the confirmation link is "
            "printed in this console)\n  Staff admin: run `.venv/bin/python manage.py "
            "createsuperuser`, then open /staff/\n"
        )

    @transaction.atomic
    def _demo_account(self):
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(email=DEMO_EMAIL, password=DEMO_PASSWORD)
            EmailAddress.objects.create(
                user=user, email=DEMO_EMAIL, verified=True, primary=True
            )
        membership = Membership.objects.filter(
            user=user, organization__name=DEMO_ORGANIZATION
        ).first()
        if membership is not None:
            return user, membership.organization
        # The Team plan, so the demo can generate more than Free's five.
        organization = organization_create(
            name=DEMO_ORGANIZATION, owner=user, plan=Plan.objects.get(slug="team")
        )
        membership = organization.memberships.get(user=user)
        for host, name, kind in DEMO_SYSTEM_RULES:
            system_rule_create(
                membership=membership, host_pattern=host, name=name, kind=kind
            )
        return user, organization

    def _load(self, sample, organization, user):
        recording = recording_import(
            organization=organization, user=user, document=sample.read_bytes()
        )
        recording = recording_get(organization=organization, recording_id=recording.pk)
        run = run_for_recording(organization=organization, recording=recording)
        state = run.workflow.get_state_display() if run else "not generated"
        self.stdout.write(f"Sample {sample.name}: {recording.title} ({state})")
