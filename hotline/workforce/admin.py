"""Admin for the workforce tables: pay rules and weights are edited here (薪酬与绩效规则)."""

from django.contrib import admin

from hotline.workforce import models as m


@admin.register(m.Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "contract_headcount", "live_seat", "in_contract"]


@admin.register(m.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "post", "hire_date", "leave_date", "night_ok"]
    list_filter = ["post"]
    search_fields = ["employee_no", "name"]
    raw_id_fields = ["user"]


@admin.register(m.ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "segments", "night", "office", "forecast_only", "active"]


@admin.register(m.LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ["staff", "kind", "start", "end", "state"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["staff", "decided_by"]


@admin.register(m.Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ["month", "status", "outcome", "demand", "required_hours", "rostered_hours", "created_at"]
    readonly_fields = ["messages", "notes", "rules"]


@admin.register(m.ShiftSwap)
class ShiftSwapAdmin(admin.ModelAdmin):
    list_display = ["day", "requester", "counterpart", "state", "decided_by"]
    list_filter = ["state"]
    raw_id_fields = ["roster", "requester", "counterpart", "created_by", "decided_by"]


@admin.register(m.AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    list_display = ["staff", "day", "clock_in", "clock_out", "source"]
    list_filter = ["source"]
    date_hierarchy = "day"
    raw_id_fields = ["staff", "entered_by"]


@admin.register(m.PayRule)
class PayRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "base_monthly", "performance_max", "night_allowance", "holiday_multiplier",
                    "w_calls", "w_aht", "w_qa", "w_satisfaction", "w_attendance", "w_complaints"]  # fmt: skip


@admin.register(m.ServiceComplaint)
class ServiceComplaintAdmin(admin.ModelAdmin):
    list_display = ["staff", "day", "summary", "upheld"]
    raw_id_fields = ["staff", "recorded_by"]


@admin.register(m.CallVolumeDay)
class CallVolumeDayAdmin(admin.ModelAdmin):
    list_display = ["hotline", "day", "source"]
    list_filter = ["hotline", "source"]


for model in (m.Qualification, m.TrainingRecord, m.OnboardingExam):
    admin.site.register(model)
