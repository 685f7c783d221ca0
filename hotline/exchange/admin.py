from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from hotline.exchange.models import (
    CitizenNotice,
    EmailIntake,
    ExchangeCursor,
    NoticeOptOut,
    Office,
    Open311Key,
    Open311Submission,
    PoliceCall,
    PoliceLink,
    ProvinceOutbox,
    SwitchboardTransfer,
    WebhookDelivery,
    WebhookSubscription,
    WechatBinding,
    WechatMessage,
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


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WechatBinding)
class WechatBindingAdmin(_ReadOnly):
    """Followers bind themselves by SMS code; an admin may only look, or delete a binding."""

    list_display = ("openid", "phone", "verified_at", "pending_phone", "created_at")
    search_fields = ("openid", "phone")
    readonly_fields = ("openid", "phone", "verified_at", "pending_phone", "created_at")


@admin.register(WechatMessage)
class WechatMessageAdmin(_ReadOnly):
    list_display = ("received_at", "openid", "msg_type", "content", "ticket")
    list_filter = ("msg_type",)
    list_select_related = ("ticket",)
    search_fields = ("openid", "msg_key", "ticket__number")
    readonly_fields = [f.name for f in WechatMessage._meta.fields]


@admin.register(NoticeOptOut)
class NoticeOptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "note", "created_at")
    search_fields = ("phone",)


@admin.register(CitizenNotice)
class CitizenNoticeAdmin(_ReadOnly):
    """The delivery log of SMS and WeChat notices."""

    list_display = ("created_at", "channel", "phone", "purpose", "ticket", "status", "attempts", "last_error")
    list_filter = ("status", "channel", "purpose")
    list_select_related = ("ticket",)
    search_fields = ("phone", "ticket__number")
    readonly_fields = [f.name for f in CitizenNotice._meta.fields]
    actions = ("resend",)

    @admin.action(description="立即重新发送")
    def resend(self, request: HttpRequest, queryset: Any) -> None:
        from django.utils import timezone

        from hotline.exchange.services.notices import notice_deliver

        for n in queryset:
            CitizenNotice.objects.filter(pk=n.pk).update(
                status=CitizenNotice.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            notice_deliver(n.pk)
        messages.info(request, f"已重新发送 {queryset.count()} 条。")


@admin.register(ProvinceOutbox)
class ProvinceOutboxAdmin(_ReadOnly):
    list_display = ("created_at", "province_id", "ticket", "kind", "status", "attempts", "last_status_code")
    list_filter = ("status", "kind")
    list_select_related = ("ticket",)
    search_fields = ("province_id", "ticket__number", "idempotency_key")
    readonly_fields = [f.name for f in ProvinceOutbox._meta.fields]
    actions = ("redeliver",)

    @admin.action(description="立即重新推送")
    def redeliver(self, request: HttpRequest, queryset: Any) -> None:
        from hotline.exchange.services.province import province_redeliver

        for row in queryset:
            province_redeliver(row=row)
        messages.info(request, f"已重新推送 {queryset.count()} 条。")


@admin.register(ExchangeCursor)
class ExchangeCursorAdmin(admin.ModelAdmin):
    list_display = ("name", "value", "updated_at")


@admin.register(EmailIntake)
class EmailIntakeAdmin(_ReadOnly):
    list_display = ("received_at", "sender", "subject", "ticket")
    list_select_related = ("ticket",)
    search_fields = ("sender", "subject", "message_id", "ticket__number")
    readonly_fields = [f.name for f in EmailIntake._meta.fields]
