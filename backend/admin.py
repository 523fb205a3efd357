from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from backend.models import IdempotencyRecord, Membership, Organisation, Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ods_code", "projects_need_approval"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "ods_code"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "level", "kind", "specialty", "parent", "is_active"]
    list_filter = ["organisation", "level", "kind"]
    search_fields = ["name", "specialty"]
    list_select_related = ["organisation", "parent"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role", "home_unit", "caseload_capacity"]
    list_filter = ["organisation", "role"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "organisation", "home_unit"]
    raw_id_fields = ["user", "home_unit"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "method", "path", "state", "response_status", "created_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]
