from django.contrib import admin

from .models import Incident


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["number", "organization", "state", "priority", "made_sla"]
    list_filter = ["state", "made_sla"]
    search_fields = ["number"]
