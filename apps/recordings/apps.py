from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "apps.recordings"
    label = "recordings"

    def ready(self):
        # Registers the API token scheme with drf-spectacular.
        from . import openapi  # noqa: F401
