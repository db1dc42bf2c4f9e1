from apps.accounts.models import Invitation, Role
from apps.accounts.services import api_token_create
from tests import factories
from tests.tenancy import provides


@provides("membership_id")
def membership_in(organization):
    user = factories.member_add(organization=organization, role=Role.MEMBER)
    return organization.memberships.get(user=user).pk


@provides("invitation_id")
def invitation_in(organization):
    return Invitation.objects.create(
        organization=organization, email="x@example.test"
    ).pk


@provides("token_id")
def token_in(organization):
    membership = organization.memberships.first()
    token, _raw = api_token_create(membership=membership, name="theirs")
    return token.pk
