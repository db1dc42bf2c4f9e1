from django.urls import path

from . import api

urlpatterns = [
    path("workflows/", api.WorkflowListApi.as_view(), name="api_workflow_list"),
    path(
        "workflows/<int:workflow_id>/",
        api.WorkflowStateApi.as_view(),
        name="api_workflow_state",
    ),
    path(
        "workflows/<int:workflow_id>/retry/",
        api.WorkflowRetryApi.as_view(),
        name="api_workflow_retry",
    ),
]
