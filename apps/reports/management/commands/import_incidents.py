from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organization
from apps.core.errors import ApplicationError
from apps.reports.services import incidents_import


class Command(BaseCommand):
    help = (
        "Import a ServiceNow-style incident audit export (CSV) into one organization."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="The organization's slug.")

    def handle(self, *args, file, org, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization has the slug {org!r}.")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            created, updated, rows = incidents_import(
                organization=organization, text=text
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Imported {created + updated} incidents ({created} new, {updated} "
            f"replaced) from {rows} rows into {organization.slug}."
        )
