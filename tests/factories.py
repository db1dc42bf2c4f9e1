"""Factories for the rows every test needs; apps add their own below."""

import itertools

from allauth.account.models import EmailAddress

from apps.accounts.models import Role, User
from apps.accounts.services import api_token_create, organization_create

_counter = itertools.count(1)

PASSWORD = "correct horse battery staple"


def user_create(*, email=None, password=PASSWORD, verified=True):
    email = email or f"user{next(_counter)}@example.test"
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def organization_with_owner(*, name=None, owner=None):
    owner = owner or user_create()
    organization = organization_create(
        name=name or f"Org {next(_counter)}", owner=owner
    )
    return organization, owner


def member_add(*, organization, role=Role.MEMBER, user=None):
    user = user or user_create()
    organization.memberships.create(user=user, role=role)
    return user


def api_token_for(*, organization, user):
    membership = organization.memberships.get(user=user)
    _token, raw = api_token_create(membership=membership, name="test")
    return raw
