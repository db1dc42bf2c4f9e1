from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Membership
from apps.accounts.services import api_token_create
from apps.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a member of an organization and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--user", required=True, help="The member's email address.")
        parser.add_argument(
            "--name", required=True, help="A name to tell the token apart."
        )

    def handle(self, *args, org, user, name, **options):
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization__slug=org, user__email__iexact=user)
            .first()
        )
        if membership is None:
            raise CommandError(f"{user} is not a member of an organization {org!r}.")
        try:
            _token, raw = api_token_create(membership=membership, name=name)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(raw)
