from django.contrib import admin

from hotline.visits.models import SurveyLink, VisitAttempt, VisitPolicy, VisitTask


@admin.register(VisitPolicy)
class VisitPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "deadline_days", "phone_attempts", "attempt_gap_minutes", "sms_fallback",
                    "survey_valid_hours", "unsatisfied")  # fmt: skip

    def has_add_permission(self, request: object) -> bool:
        return not VisitPolicy.objects.exists()


class AttemptInline(admin.TabularInline):
    model = VisitAttempt
    extra = 0
    readonly_fields = ("channel", "at", "by", "outcome", "result", "note")
    can_delete = False


@admin.register(VisitTask)
class VisitTaskAdmin(admin.ModelAdmin):
    list_display = ("ticket", "round", "status", "due_at", "phone_attempts", "result", "source", "done_at")
    list_filter = ("status", "result", "source")
    search_fields = ("ticket__number",)
    raw_id_fields = ("ticket", "done_by")
    inlines = [AttemptInline]
    readonly_fields = ("ticket", "round", "status", "result", "source", "online_result", "done_at", "done_by",
                       "version", "phone_attempts", "last_attempt_at", "reopened")  # fmt: skip


@admin.register(SurveyLink)
class SurveyLinkAdmin(admin.ModelAdmin):
    list_display = ("task", "channel", "created_at", "expires_at", "used_at", "result")
    readonly_fields = (
        "task",
        "token_hash",
        "channel",
        "created_at",
        "sent_by",
        "used_at",
        "result",
        "comment",
    )
