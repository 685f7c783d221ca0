"""Admin: model versions (activate = rollback), the dispatch catalogue, suggestion logs, hotspot alerts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hotline.assist.models import DispatchRule, HotspotAlert, ModelVersion, SuggestionLog
from hotline.assist.services import dispatch_model_activate
from hotline.core.errors import ServiceError


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("version", "active", "trained_at", "training_size", "labels", "f1", "top3", "trigger")
    readonly_fields = [f.name for f in ModelVersion._meta.fields]
    actions = ["activate"]

    @admin.display(description="留出 macro-F1")
    def f1(self, obj: ModelVersion) -> str:
        return _pct(obj.metric("macro_f1"))

    @admin.display(description="留出 top-3")
    def top3(self, obj: ModelVersion) -> str:
        return _pct(obj.metric("top3"))

    @admin.action(description="启用所选版本（回滚到旧版本也用此操作）")
    def activate(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个版本。", messages.ERROR)
            return
        row = queryset.get()
        try:
            dispatch_model_activate(version=row.version)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"已启用模型版本 {row.version}。", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("category", "district", "department", "is_active", "note", "updated_at")
    list_filter = ("is_active", "district")
    search_fields = ("category__name", "category__code", "department__name", "note")
    list_select_related = ("category", "district", "department")


@admin.register(SuggestionLog)
class SuggestionLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "ticket", "desk", "source", "top1", "chosen", "outcome", "model_version")
    list_filter = ("desk", "outcome", "source")
    list_select_related = ("ticket", "chosen")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HotspotAlert)
class HotspotAlertAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("day", "label", "count", "previous", "growth")
    list_filter = ("day",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
