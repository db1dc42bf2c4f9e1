from django.contrib import admin

from .models import RawBatch, Recording


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    """Read-only: recordings change only through the API and its services."""

    list_display = [
        "id",
        "title",
        "organization",
        "status",
        "event_count",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["id", "title", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = [field.name for field in Recording._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RawBatch)
class RawBatchAdmin(admin.ModelAdmin):
    """Raw batches left by a crash; ``manage.py replay_raw_batches`` stores them."""

    list_display = ["recording", "digest", "received_at"]
    exclude = ["body"]
    readonly_fields = ["organization", "recording", "digest", "received_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
