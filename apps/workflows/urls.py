from django.urls import path

from . import views

urlpatterns = [
    path("workflows/", views.workflow_list, name="workflow_list"),
    path("workflows/generate/", views.workflow_generate, name="workflow_generate"),
    path("workflows/systems/", views.system_rule_list, name="system_rule_list"),
    path(
        "workflows/systems/<int:rule_id>/delete/",
        views.system_rule_delete,
        name="system_rule_delete",
    ),
    path("workflows/<int:workflow_id>/", views.workflow_detail, name="workflow_detail"),
    path(
        "workflows/<int:workflow_id>/edit/", views.workflow_edit, name="workflow_edit"
    ),
    path(
        "workflows/<int:workflow_id>/regenerate/",
        views.workflow_regenerate,
        name="workflow_regenerate",
    ),
    path(
        "workflows/<int:workflow_id>/retry/",
        views.workflow_retry,
        name="workflow_retry",
    ),
    path(
        "workflows/<int:workflow_id>/delete/",
        views.workflow_delete,
        name="workflow_delete",
    ),
    path(
        "workflows/<int:workflow_id>/versions/",
        views.workflow_versions,
        name="workflow_versions",
    ),
    path(
        "workflows/<int:workflow_id>/versions/<int:version_number>/restore/",
        views.workflow_restore,
        name="workflow_restore",
    ),
    path(
        "workflows/<int:workflow_id>/compare/",
        views.workflow_compare,
        name="workflow_compare",
    ),
    path(
        "workflows/<int:workflow_id>/download/<str:export_format>/",
        views.workflow_download,
        name="workflow_download",
    ),
    path(
        "workflows/<int:workflow_id>/report.pdf",
        views.workflow_report_pdf,
        name="workflow_report_pdf",
    ),
    path(
        "workflows/<int:workflow_id>/step-timings.csv",
        views.workflow_timings_csv,
        name="workflow_timings_csv",
    ),
    path(
        "workflows/<int:workflow_id>/runs.xes",
        views.workflow_runs_xes,
        name="workflow_runs_xes",
    ),
    path(
        "workflows/<int:workflow_id>/versions/<int:version_number>/steps/"
        "<int:step_number>/",
        views.workflow_evidence,
        name="workflow_evidence",
    ),
    path(
        "workflows/<int:workflow_id>/runs/<int:run_id>/reference/",
        views.workflow_set_reference,
        name="workflow_set_reference",
    ),
]
