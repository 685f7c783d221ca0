from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from hotline.exchange.models import (
    Office,
    Open311Key,
    Open311Submission,
    PoliceCall,
    PoliceLink,
    SwitchboardTransfer,
    WebhookDelivery,
    WebhookSubscription,
)


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys are generated here; the secret is shown once, after saving, and only its hash is kept."""

    list_display = ("name", "prefix", "contact", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    actions = ("rotate_keys",)

    def save_model(self, request: HttpRequest, obj: Open311Key, form: Any, change: bool) -> None:
        raw = "" if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(request, f"新的 api_key（只显示这一次，请立即交给对方保存）：{raw}")

    @admin.action(description="重新生成所选密钥（旧密钥立即失效）")
    def rotate_keys(self, request: HttpRequest, queryset: Any) -> None:
        for key in queryset:
            raw = key.set_new_key()
            key.save(update_fields=["key_hash", "prefix"])
            messages.warning(request, f"{key.name} 的新 api_key（只显示这一次）：{raw}")


@admin.register(Open311Submission)
class Open311SubmissionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "key", "created_at", "device_id", "account_id")
    list_select_related = ("ticket", "key")
    search_fields = ("ticket__number", "token", "device_id", "account_id")
    readonly_fields = [f.name for f in Open311Submission._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "phone", "extension", "hours", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name", "unit", "phone", "pinyin_initials")
    readonly_fields = ("pinyin_initials",)
    autocomplete_fields = ("department",)


@admin.register(SwitchboardTransfer)
class SwitchboardTransferAdmin(admin.ModelAdmin):
    list_display = ("at", "office", "number", "outcome", "by", "ticket")
    list_filter = ("outcome",)
    list_select_related = ("office", "by", "ticket")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in SwitchboardTransfer._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """The signing secret is generated on save and shown once; subscribers verify X-Hotline-Signature with it."""

    list_display = ("name", "url", "events", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    actions = ("rotate_secrets", "send_ping")

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: bool) -> None:
        raw = "" if change else obj.set_new_secret()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(request, f"签名密钥（只显示这一次，请交给订阅方保存）：{raw}")

    @admin.action(description="重新生成签名密钥")
    def rotate_secrets(self, request: HttpRequest, queryset: Any) -> None:
        for sub in queryset:
            raw = sub.set_new_secret()
            sub.save(update_fields=["secret"])
            messages.warning(request, f"{sub.name} 的新签名密钥（只显示这一次）：{raw}")

    @admin.action(description="发送测试事件（ping）")
    def send_ping(self, request: HttpRequest, queryset: Any) -> None:
        from hotline.exchange.services.webhooks import webhook_ping

        for sub in queryset:
            d = webhook_ping(subscription=sub)
            messages.info(
                request, f"{sub.name}：{d.get_status_display()} {d.last_status_code or ''} {d.last_error}"
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "subscription",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "subscription")
    list_select_related = ("subscription",)
    search_fields = ("event_id", "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ("redeliver",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="立即重新发送")
    def redeliver(self, request: HttpRequest, queryset: Any) -> None:
        from hotline.exchange.services.webhooks import webhook_redeliver

        for d in queryset:
            webhook_redeliver(delivery=d)
        messages.info(request, f"已重新发送 {queryset.count()} 条。")


class PoliceCallInline(admin.TabularInline):
    model = PoliceCall
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "duration_s", "agent", "police_operator", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PoliceLink)
class PoliceLinkAdmin(admin.ModelAdmin):
    """Read-only here: links change through /api/v1/police (services check every rule)."""

    list_display = ("created_at", "ticket", "direction", "police_ref", "state", "owner")
    list_filter = ("direction", "state", "owner")
    list_select_related = ("ticket",)
    search_fields = ("ticket__number", "police_ref")
    readonly_fields = [f.name for f in PoliceLink._meta.fields]
    inlines = (PoliceCallInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
