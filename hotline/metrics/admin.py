"""Admins edit the KPI targets; every save goes through `kpi_target_set` (checked and audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from hotline.core.errors import InvalidInput
from hotline.metrics.models import KpiTarget, MonthlyReport
from hotline.metrics.services import kpi_target_errors, kpi_target_set


class KpiTargetForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = KpiTarget
        fields = ("target", "comparison", "amber_margin")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = kpi_target_errors(
            key=self.instance.key,
            target=data.get("target"),
            comparison=data.get("comparison", ""),
            amber_margin=data.get("amber_margin") or 0.0,
        )
        if errors:
            raise ValidationError(errors)
        return data


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = KpiTargetForm
    list_display = ("__str__", "key", "comparison", "target", "amber_margin", "updated_at")
    readonly_fields = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:  # the rows are the indicators, seeded
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: KpiTarget, form: Any, change: bool) -> None:
        try:
            kpi_target_set(
                key=obj.key,
                target=obj.target,
                comparison=obj.comparison,
                amber_margin=obj.amber_margin,
                by=request.user,  # type: ignore[arg-type]
            )
        except InvalidInput as e:
            messages.error(request, e.message)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: reports are generated, edited and finalised on /metrics/reports/ (audited there)."""

    list_display = ("month", "status", "progress", "generated_at", "generation_s", "finalised_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in MonthlyReport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
