from django.contrib import admin

from .models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Staff see links and may revoke them; tokens exist only as hashes."""

    list_display = [
        "workflow",
        "organization",
        "label",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "view_count",
    ]
    list_filter = ["include_report"]
    search_fields = ["label", "workflow__title", "organization__name"]
    readonly_fields = [
        "organization",
        "workflow",
        "token_hash",
        "password_hash",
        "created_by",
        "created_at",
        "view_count",
        "last_viewed_at",
    ]
    fields = [*readonly_fields, "label", "include_report", "expires_at", "revoked_at"]

    def has_add_permission(self, request):
        return False
