from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "apps.workflows"
    label = "workflows"

    def ready(self):
        from . import receivers  # noqa: F401
