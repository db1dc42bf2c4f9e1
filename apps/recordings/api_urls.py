from django.urls import path

from . import api

urlpatterns = [
    path(
        "recordings/", api.RecordingListCreateApi.as_view(), name="api_recording_list"
    ),
    path(
        "recordings/<uuid:recording_id>/",
        api.RecordingDetailApi.as_view(),
        name="api_recording_detail",
    ),
    path(
        "recordings/<uuid:recording_id>/events/",
        api.RecordingEventsApi.as_view(),
        name="api_recording_events",
    ),
    path(
        "recordings/<uuid:recording_id>/finish/",
        api.RecordingFinishApi.as_view(),
        name="api_recording_finish",
    ),
    path(
        "recordings/<uuid:recording_id>/export.json",
        api.RecordingExportApi.as_view(export_format="json"),
        name="api_recording_export_json",
    ),
    path(
        "recordings/<uuid:recording_id>/export.xes",
        api.RecordingExportApi.as_view(export_format="xes"),
        name="api_recording_export_xes",
    ),
]
