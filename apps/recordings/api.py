"""The recordings API: create, append events, finish, list, show, discard, export.

Bodies with events are decoded by msgspec straight from the raw request
(``validation``), never by DRF's parsers; serializers only describe the
resources we return.
"""

import msgspec
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.accounts.models import ApiToken
from apps.accounts.permissions import InOrganization
from apps.core.errors import ApplicationError
from apps.core.http import server_origin

from . import format, services, validation, xes
from .models import RecordingStatus
from .selectors import (
    recording_document,
    recording_get,
    recording_list,
    recording_missing,
)

_JSON = msgspec.json.Encoder()


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


ERROR_RESPONSE = OpenApiResponse(_ref("Error"), description="An error.")


class RecordingThrottle(SimpleRateThrottle):
    """Limit each API token (or session user) to ``LEDGERIUM_API_RATE``."""

    scope = "recordings"

    def get_rate(self):
        return settings.LEDGERIUM_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ClientSerializer(serializers.Serializer):
    name = serializers.CharField(source="client_name")
    version = serializers.CharField(source="client_version")
    browser = serializers.CharField(source="client_browser")


class RecordingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    format_version = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    agent = serializers.CharField()
    status = serializers.CharField()
    client = ClientSerializer(source="*")
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)
    started_client_ms = serializers.IntegerField(allow_null=True)
    finished_client_ms = serializers.IntegerField(allow_null=True)
    clock_offset_ms = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    event_count = serializers.IntegerField()
    highest_seq = serializers.IntegerField()
    last_seq = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class RecordingDetailSerializer(RecordingSerializer):
    missing = serializers.SerializerMethodField()
    final_gaps = serializers.ListField(child=serializers.ListField())
    dropped_seqs = serializers.ListField(child=serializers.IntegerField())
    privacy = serializers.DictField()
    server_redactions = serializers.DictField(child=serializers.IntegerField())
    truncated = serializers.ListField(
        child=serializers.CharField(),
        help_text="The recording's fields the server shortened: title, agent.",
    )
    page_url = serializers.SerializerMethodField()

    def get_missing(self, recording) -> list[list[int]]:
        return recording_missing(recording=recording)

    def get_page_url(self, recording) -> str:
        """Return the recording's page: its workflow's progress, or why none."""
        path = reverse("recording_detail", kwargs={"recording_id": recording.pk})
        return self.context["request"].build_absolute_uri(path)


class RecordingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RecordingSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    event_count = serializers.IntegerField()
    highest_seq = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.ListField())
    batch_events = serializers.IntegerField()


def _read_body(request, limit):
    """Return the raw body, refusing (413) one over ``limit`` before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise validation.too_large(length, limit)
    return request.body


class RecordingApi(APIView):
    permission_classes = [permissions.IsAuthenticated, InOrganization]
    throttle_classes = [RecordingThrottle]

    def recording(self, request, recording_id):
        # Writes see a discarded recording so as to refuse it by name, which
        # tells a late client to stop; deleting it again is harmless.
        return recording_get(
            organization=request._request.organization,
            recording_id=recording_id,
            discarded=True,
        )

    def detail(self, recording):
        return RecordingDetailSerializer(
            recording, context={"request": self.request}
        ).data

    def kept_recording(self, request, recording_id):
        """Return the recording to read; 410 once it was discarded."""
        recording = self.recording(request, recording_id)
        if recording.status == RecordingStatus.DISCARDED:
            raise ApplicationError(
                _("This recording was deleted; only its id is kept."),
                code="recording_discarded",
                status=410,
            )
        return recording


class RecordingListCreateApi(RecordingApi):
    @extend_schema(
        operation_id="recordings_list",
        responses={200: RecordingPageSerializer},
        parameters=[
            OpenApiParameter("limit", int, description="Page size, 50 by default."),
            OpenApiParameter("offset", int, description="Recordings to skip."),
        ],
    )
    def get(self, request):
        paginator = LimitOffsetPagination()
        queryset = recording_list(organization=request._request.organization)
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(
            RecordingSerializer(page, many=True).data
        )

    @extend_schema(
        operation_id="recordings_create",
        request={"application/json": _ref("FormatRecording")},
        responses={
            201: RecordingDetailSerializer,
            200: RecordingDetailSerializer,
            400: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
            413: ERROR_RESPONSE,
        },
    )
    def post(self, request):
        body = _read_body(request, format.MAX_BATCH_BYTES)
        document = validation.decode(
            body, format.Recording, max_bytes=format.MAX_BATCH_BYTES
        )
        if len(document.events) > format.MAX_BATCH_EVENTS:
            raise validation.TooLarge(
                _("The recording holds %(count)s events; the limit is %(limit)s.")
                % {"count": len(document.events), "limit": format.MAX_BATCH_EVENTS},
                field="events",
            )
        recording, created = services.recording_create(
            organization=request._request.organization,
            user=request.user,
            document=document,
            server_origin=server_origin(request),
        )
        recording.refresh_from_db()
        return Response(
            self.detail(recording),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RecordingDetailApi(RecordingApi):
    @extend_schema(
        operation_id="recordings_retrieve",
        responses={
            200: RecordingDetailSerializer,
            404: ERROR_RESPONSE,
            410: ERROR_RESPONSE,
        },
    )
    def get(self, request, recording_id):
        recording = self.kept_recording(request, recording_id)
        return Response(self.detail(recording))

    @extend_schema(
        operation_id="recordings_discard",
        responses={204: None, 404: ERROR_RESPONSE},
    )
    def delete(self, request, recording_id):
        services.recording_discard(recording=self.recording(request, recording_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecordingEventsApi(RecordingApi):
    @extend_schema(
        operation_id="recordings_events_append",
        request={"application/json": _ref("FormatBatch")},
        responses={
            200: ProgressSerializer,
            400: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
            413: ERROR_RESPONSE,
        },
    )
    def post(self, request, recording_id):
        recording = self.recording(request, recording_id)
        body = _read_body(request, format.MAX_BATCH_BYTES)
        progress = services.recording_append(
            recording=recording, body=body, server_origin=server_origin(request)
        )
        return Response(progress)


class RecordingFinishApi(RecordingApi):
    @extend_schema(
        operation_id="recordings_finish",
        request={"application/json": _ref("FormatFinish")},
        responses={200: RecordingDetailSerializer, 409: ERROR_RESPONSE},
    )
    def post(self, request, recording_id):
        recording = self.recording(request, recording_id)
        body = _read_body(request, format.MAX_BATCH_BYTES) or b"{}"
        finish = validation.decode(
            body, format.Finish, max_bytes=format.MAX_BATCH_BYTES
        )
        recording = services.recording_finish(recording=recording, finish=finish)
        return Response(self.detail(recording))


class RecordingExportApi(RecordingApi):
    export_format = "json"

    @extend_schema(
        responses={
            (200, "application/json"): _ref("FormatRecording"),
            (200, "application/xml"): OpenApiResponse(
                {"type": "string"}, description="An IEEE 1849 (XES) event log."
            ),
            404: ERROR_RESPONSE,
            410: ERROR_RESPONSE,
        },
    )
    def get(self, request, recording_id):
        recording = self.kept_recording(request, recording_id)
        if self.export_format == "xes":
            document = recording_document(recording=recording, corrected=True)
            body, content_type = xes.write([document]), "application/xml"
        else:
            document = recording_document(recording=recording, corrected=False)
            body, content_type = _JSON.encode(document), "application/json"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="recording-{recording.pk}.{self.export_format}"'
        )
        return response
