"""Admin for the call-centre configuration. Model `clean()` refuses unsound settings with a Chinese message."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from hotline.callcenter.models import (
    Agent,
    AgentSkill,
    BusinessHours,
    CallbackTask,
    CallRecord,
    CallTicketLink,
    CentreSettings,
    Hotline,
    IvrFlow,
    Prompt,
    Queue,
    QueueLogEntry,
    Recording,
    Seat,
)


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "queue", "ivr", "hours", "after_hours_number", "survey", "is_active")
    list_filter = ("is_active",)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "name",
        "strategy",
        "max_length",
        "overflow_to",
        "overflow_after_s",
        "wrapup_s",
        "is_active",
    )
    list_filter = ("strategy", "is_active", "is_callback")


class SkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "seat", "user", "is_active")
    search_fields = ("code", "name")
    list_filter = ("is_active", "skills__queue")
    inlines = [SkillInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("code", "group", "extension", "is_active")
    list_filter = ("group", "is_active")


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("name", "describe", "follow_holidays")


@admin.register(IvrFlow)
class IvrFlowAdmin(admin.ModelAdmin):
    """The JSON stays editable here (checked on save); the table editor is easier for most changes."""

    list_display = ("name", "updated_at", "editor")

    @admin.display(description="流程编辑器")
    def editor(self, obj: IvrFlow) -> str:
        return format_html('<a href="{}">用表格编辑</a>', reverse("callcenter:ivr_edit", args=[obj.pk]))


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "text")
    search_fields = ("key", "name", "text")


@admin.register(CentreSettings)
class CentreSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "emergency_mode",
        "divert_all",
        "emergency_lines",
        "short_abandon_s",
        "answer_s",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CentreSettings.objects.exists()


class _ReadOnly(admin.ModelAdmin):
    """Records are written by the engine; people read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CallRecord)
class CallRecordAdmin(_ReadOnly):
    list_display = (
        "call_id",
        "hotline",
        "arrived_at",
        "disposition",
        "queue",
        "agent_code",
        "wait_s",
        "talk_s",
    )
    list_filter = ("disposition", "hotline", "missed", "overflowed")
    search_fields = ("call_id", "ani", "agent_code")
    date_hierarchy = "arrived_at"


@admin.register(QueueLogEntry)
class QueueLogAdmin(_ReadOnly):
    list_display = ("at", "event", "call_id", "queue", "agent_code", "data")
    list_filter = ("event",)
    search_fields = ("call_id", "agent_code")


@admin.register(Recording)
class RecordingAdmin(_ReadOnly):
    list_display = ("path", "call", "ticket", "started_at", "duration_s")


@admin.register(CallbackTask)
class CallbackTaskAdmin(_ReadOnly):
    list_display = ("phone", "day", "hotline", "reason", "status", "attempts", "due_at", "done_at")
    list_filter = ("status", "reason", "hotline")


@admin.register(CallTicketLink)
class CallTicketLinkAdmin(_ReadOnly):
    list_display = ("call_id", "ticket", "by", "at")
    search_fields = ("call_id", "ticket__number")
