from apps.sharing.services import share_link_create
from tests.sharing.helpers import workflow_in
from tests.tenancy import provides


@provides("share_link_id")
def share_link_in(organization):
    membership = organization.memberships.first()
    link, _raw = share_link_create(
        membership=membership, workflow=workflow_in(organization)
    )
    return link.pk
