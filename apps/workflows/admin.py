from django.contrib import admin

from .models import Run, SopVersion, SystemRule, Workflow


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "state", "progress", "created_at")
    list_filter = ("state",)
    search_fields = ("title", "organization__name")
    raw_id_fields = ("reference_run", "current_version", "created_by")


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("id", "workflow", "state", "step_count", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("workflow", "recording")
    exclude = ("steps",)


@admin.register(SopVersion)
class SopVersionAdmin(admin.ModelAdmin):
    list_display = ("workflow", "number", "reason", "render_state", "created_at")
    list_filter = ("reason", "render_state")
    raw_id_fields = ("workflow", "source_run", "created_by")
    exclude = ("pdf", "svg", "steps", "document")


@admin.register(SystemRule)
class SystemRuleAdmin(admin.ModelAdmin):
    list_display = ("host_pattern", "path_prefix", "name", "kind", "organization")
    search_fields = ("host_pattern", "name")
