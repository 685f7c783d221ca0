from django.contrib import admin

from hotline.quality.models import (
    CalibrationScore,
    CalibrationSession,
    CheckScore,
    Dispute,
    QualityCheck,
    Rubric,
    RubricItem,
    SamplingPlan,
)


class RubricItemInline(admin.TabularInline):
    model = RubricItem
    extra = 1


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("name", "pass_score", "is_active")
    inlines = [RubricItemInline]


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "share", "max_items", "rubric", "is_active")
    list_filter = ("kind", "is_active")


class CheckScoreInline(admin.TabularInline):
    model = CheckScore
    extra = 0
    readonly_fields = ("item", "points", "note")
    can_delete = False


@admin.register(QualityCheck)
class QualityCheckAdmin(admin.ModelAdmin):
    list_display = ("pk", "plan", "key", "agent", "status", "score", "passed", "inspected_at")
    list_filter = ("status", "passed", "plan")
    search_fields = ("key", "agent_code", "ticket__number")
    raw_id_fields = ("call", "ticket", "agent", "inspector")
    readonly_fields = ("score", "passed", "status", "version")
    inlines = [CheckScoreInline]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ("check_item", "raised_by", "raised_at", "status", "decided_by")
    list_filter = ("status",)
    readonly_fields = ("check_item", "raised_by", "raised_at", "reason", "status", "decided_by", "decided_at",
                       "decision", "score_before", "score_after")  # fmt: skip


class CalibrationScoreInline(admin.TabularInline):
    model = CalibrationScore
    extra = 0
    readonly_fields = ("inspector", "score", "passed", "points", "at")


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(admin.ModelAdmin):
    list_display = ("name", "check_item", "created_by", "created_at")
    inlines = [CalibrationScoreInline]
