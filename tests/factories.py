"""Factories for the rows every test needs; apps add their own below."""

import itertools

from allauth.account.models import EmailAddress

from apps.accounts.models import Plan, Role, User
from apps.accounts.services import api_token_create, organization_create

_counter = itertools.count(1)

PASSWORD = "correct horse battery staple"


def user_create(*, email=None, password=PASSWORD, verified=True):
    email = email or f"user{next(_counter)}@example.test"
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def organization_with_owner(*, name=None, owner=None, plan=None):
    owner = owner or user_create()
    organization = organization_create(
        name=name or f"Org {next(_counter)}", owner=owner, plan=plan
    )
    return organization, owner


def plan_with_incident_history():
    """Return the cheapest plan that includes incident-history import.

    A transactional test's flush empties the plans the migrations made, so
    the plan is made again when it is missing.
    """
    plans = Plan.objects.filter(incident_history=True).order_by("price_per_month")
    return plans.first() or Plan.objects.create(
        slug="team", name="Team", monthly_workflow_limit=50, incident_history=True
    )


def incident_history_allow(organization):
    """Move ``organization`` to a plan with incident-history import if needed."""
    if not organization.plan.incident_history:
        organization.plan = plan_with_incident_history()
        organization.save(update_fields=["plan"])
    return organization


def member_add(*, organization, role=Role.MEMBER, user=None):
    user = user or user_create()
    organization.memberships.create(user=user, role=role)
    return user


def api_token_for(*, organization, user):
    membership = organization.memberships.get(user=user)
    _token, raw = api_token_create(membership=membership, name="test")
    return raw
