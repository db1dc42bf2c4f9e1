from django.urls import path

from . import views

urlpatterns = [
    path(
        "recording-format/",
        views.recording_format_document,
        name="recording_format_document",
    ),
    path(
        "recording-format/recording-format.md",
        views.recording_format_text,
        name="recording_format_text",
    ),
    path(
        "recording-format/schema.json",
        views.recording_format_schema,
        name="recording_format_schema",
    ),
]
