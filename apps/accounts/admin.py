from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    ApiToken,
    Invitation,
    Membership,
    MonthlyUsage,
    Organization,
    Plan,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})
    ]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "monthly_workflow_limit",
        "incident_history",
        "price_per_month",
        "is_default",
    ]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class UsageInline(admin.TabularInline):
    model = MonthlyUsage
    extra = 0
    readonly_fields = ["month", "workflows_created"]
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "plan",
        "workflow_limit_override",
        "usage_this_month",
    ]
    list_filter = ["plan"]
    list_editable = ["plan", "workflow_limit_override"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline, UsageInline]

    class Media:
        css = {"all": ["css/staff.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            # Every organization has a plan: an empty choice could only fail.
            kwargs["empty_label"] = None
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "plan":
            # Plans are added, changed and deleted on their own page; from an
            # organization staff only choose one, as a change made here would
            # reach every organization on the plan.
            formfield.widget.can_add_related = False
            formfield.widget.can_change_related = False
            formfield.widget.can_delete_related = False
        return formfield

    @admin.display(description="Usage this month")
    def usage_this_month(self, organization):
        from .selectors import usage_current

        used, limit, _resets = usage_current(organization=organization)
        return f"{used} / {limit if limit is not None else '∞'}"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "hint",
        "organization",
        "user",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["token_hash", "hint"]
    list_filter = ["organization"]


admin.site.register(Invitation)
admin.site.register(MonthlyUsage)
