from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Membership
from apps.core.errors import ApplicationError
from apps.recordings.services import recording_import


class Command(BaseCommand):
    help = "Import a recording document (JSON, recording format) into an organization."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The recording document; - for stdin.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--user", required=True, help="The member's email address.")

    def handle(self, *args, file, org, user, **options):
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization__slug=org, user__email__iexact=user)
            .first()
        )
        if membership is None:
            raise CommandError(f"{user} is not a member of an organization {org!r}.")
        document = self._read(file)
        try:
            recording = recording_import(
                organization=membership.organization,
                user=membership.user,
                document=document,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Imported recording {recording.pk} with {recording.event_count} events."
        )

    def _read(self, file):
        if file == "-":
            return self.stdin.buffer.read()
        try:
            return Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
