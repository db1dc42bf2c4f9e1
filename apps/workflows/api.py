"""The workflows API: list, state with progress, retry, generate."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.errors import ApplicationError
from apps.recordings.selectors import recording_get

from . import selectors, services


class WorkflowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    progress = serializers.IntegerField()
    failure_reason = serializers.CharField()
    version = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    page_url = serializers.SerializerMethodField()

    def get_version(self, workflow) -> int | None:
        version = workflow.current_version
        return version.number if version else None

    def get_page_url(self, workflow) -> str:
        """Return the workflow's page, which shows its progress while it builds."""
        return self.context["request"].build_absolute_uri(workflow.get_absolute_url())


class GenerateSerializer(serializers.Serializer):
    recording = serializers.UUIDField()
    workflow = serializers.IntegerField(required=False)


class WorkflowApi(APIView):
    permission_classes = [permissions.IsAuthenticated, InOrganization]

    def workflow(self, request, workflow_id):
        return selectors.workflow_get(
            organization=request._request.organization, workflow_id=workflow_id
        )

    def serialized(self, workflow, **kwargs):
        return WorkflowSerializer(
            workflow, context={"request": self.request}, **kwargs
        ).data


class WorkflowListApi(WorkflowApi):
    @extend_schema(
        operation_id="workflows_list", responses=WorkflowSerializer(many=True)
    )
    def get(self, request):
        paginator = LimitOffsetPagination()
        queryset = selectors.workflow_list(organization=request._request.organization)
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(self.serialized(page, many=True))

    @extend_schema(
        operation_id="workflows_generate",
        request=GenerateSerializer,
        responses={202: WorkflowSerializer},
    )
    def post(self, request):
        if not request._request.membership.can_edit:
            raise ApplicationError(
                _("Viewers can read workflows but not change them."),
                code="permission_denied",
                status=403,
            )
        form = GenerateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        organization = request._request.organization
        recording = recording_get(
            organization=organization, recording_id=form.validated_data["recording"]
        )
        workflow = None
        if "workflow" in form.validated_data:
            workflow = self.workflow(request, form.validated_data["workflow"])
        workflow = services.workflow_generate(
            organization=organization,
            recording=recording,
            workflow=workflow,
            user=request.user,
        )
        return Response(self.serialized(workflow), status=status.HTTP_202_ACCEPTED)


class WorkflowStateApi(WorkflowApi):
    @extend_schema(operation_id="workflows_retrieve", responses=WorkflowSerializer)
    def get(self, request, workflow_id):
        return Response(self.serialized(self.workflow(request, workflow_id)))


class WorkflowRetryApi(WorkflowApi):
    @extend_schema(
        operation_id="workflows_retry",
        request=None,
        responses={202: WorkflowSerializer},
    )
    def post(self, request, workflow_id):
        workflow = self.workflow(request, workflow_id)
        services.workflow_retry(
            membership=request._request.membership, workflow=workflow
        )
        workflow.refresh_from_db()
        return Response(self.serialized(workflow), status=status.HTTP_202_ACCEPTED)
