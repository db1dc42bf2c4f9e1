from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("pricing/", views.pricing, name="pricing"),
    path("upgrade/", views.upgrade, name="upgrade"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/status/", views.dashboard_status, name="dashboard_status"),
    path("search/", views.search, name="search"),
    path("upload/", views.recording_upload, name="recording_upload"),
    path("recordings/", views.recording_list, name="recording_list"),
    path(
        "recordings/<uuid:recording_id>/",
        views.recording_detail,
        name="recording_detail",
    ),
    path(
        "recordings/<uuid:recording_id>/status/",
        views.recording_status,
        name="recording_status",
    ),
    path(
        "recordings/<uuid:recording_id>/finish/",
        views.recording_finish_view,
        name="recording_finish",
    ),
    path(
        "recordings/<uuid:recording_id>/delete/",
        views.recording_delete,
        name="recording_delete",
    ),
    path("extension/", views.extension, name="extension"),
    path("extension/download/", views.extension_download, name="extension_download"),
    path("extension/connect/", views.extension_connect, name="extension_connect"),
    path("settings/plan/", views.plan_usage, name="plan_usage"),
]
