from django.urls import path, register_converter

from . import views
from .converters import IncidentNumberConverter

register_converter(IncidentNumberConverter, "incident_number")

urlpatterns = [
    path("incidents/", views.incident_history, name="incident_history"),
    path(
        "incidents/report.pdf", views.incident_history_pdf, name="incident_history_pdf"
    ),
    path(
        "incidents/step-timings.csv",
        views.incident_history_csv,
        name="incident_history_csv",
    ),
    path("incidents/log.xes", views.incident_history_xes, name="incident_history_xes"),
    path(
        "incidents/report.json",
        views.incident_history_json,
        name="incident_history_json",
    ),
    path("incidents/import/", views.incident_history_import, name="incident_import"),
    path("incidents/suggest/", views.incident_suggest, name="incident_suggest"),
    path(
        "incidents/<incident_number:number>/",
        views.incident_detail,
        name="incident_detail",
    ),
]
