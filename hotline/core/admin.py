from django.contrib import admin

from hotline.core.models import AuditLog, CalendarDay, CalendarRule, CalendarYear

admin.site.site_header = "12345 热线平台 · 系统管理"
admin.site.site_title = "12345 热线平台"


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "updated_at")


@admin.register(CalendarRule)
class CalendarRuleAdmin(admin.ModelAdmin):
    list_display = ("count_intake_day", "cutoff", "deadline_time", "work_windows")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not CalendarRule.objects.exists()

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.parsed_windows()  # refuse a malformed window string before it reaches the calendar
        super().save_model(request, obj, form, change)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "address")
    list_filter = ("action",)
    search_fields = ("object_id",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
