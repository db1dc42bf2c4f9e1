from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import Plan, User
from apps.accounts.services import organization_create


class Command(BaseCommand):
    help = "Create an organization with its owner and print the organization's slug."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner", required=True, help="The owner's email address.")
        parser.add_argument("--password", help="Set for a new owner; verified at once.")
        parser.add_argument("--plan", help="A plan slug; the default plan otherwise.")

    @transaction.atomic
    def handle(self, *args, name, owner, password, plan, **options):
        chosen_plan = None
        if plan:
            chosen_plan = Plan.objects.filter(slug=plan).first()
            if chosen_plan is None:
                slugs = ", ".join(Plan.objects.values_list("slug", flat=True))
                raise CommandError(f"No plan {plan!r}. Plans: {slugs}.")

        user = User.objects.filter(email__iexact=owner).first()
        if user is None:
            user = User.objects.create_user(email=owner, password=password)
            _verify_email(user)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])

        organization = organization_create(name=name, owner=user, plan=chosen_plan)
        self.stdout.write(organization.slug)


def _verify_email(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
