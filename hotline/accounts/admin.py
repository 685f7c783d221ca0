from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hotline.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("热线", {"fields": ("display_name", "employee_no", "role", "department")}),
    )  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
