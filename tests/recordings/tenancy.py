import uuid

from apps.recordings import format
from apps.recordings.services import recording_create
from tests.tenancy import provides


@provides("recording_id")
def recording_in(organization):
    owner = organization.memberships.first().user
    document = format.Recording(
        id=str(uuid.uuid4()),
        title="Their recording",
        events=[
            format.Event(
                seq=1, ts=1_767_000_000_000, type=format.EventType.CLICK, name="Save"
            )
        ],
    )
    recording, _created = recording_create(
        organization=organization, user=owner, document=document
    )
    return recording.pk
