"""Generated requests against the recordings API: none may cause a 500."""

import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from apps.recordings import format
from apps.recordings.services import recording_create

schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True)
).include(path_regex="^/api/v1/recordings")

APPLICATION = get_wsgi_application()


@pytest.fixture
def keep_connection():
    """Stop the WSGI handler closing the test's connection after each request.

    The test runs in one transaction; Django's test client does the same.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def recording_with_events(organization, owner):
    """Return a function making a recording with three events."""

    def make():
        document = format.Recording(
            id=str(uuid.uuid4()),
            events=[
                format.Event(seq=seq, ts=1_767_000_000_000, type=format.EventType.CLICK)
                for seq in (1, 2, 3)
            ],
        )
        recording, _created = recording_create(
            organization=organization, user=owner, document=document
        )
        return str(recording.pk)

    return make


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_recordings_api_never_answers_500(
    case, api_token, recording_with_events, settings, keep_connection
):
    settings.LEDGERIUM_API_RATE = "100000/min"
    if "recording_id" in (case.path_parameters or {}):
        case.path_parameters["recording_id"] = recording_with_events()

    case.call_and_validate(
        app=APPLICATION,
        headers={"Authorization": f"Bearer {api_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
