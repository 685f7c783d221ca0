"""Data exchange with outside systems: Open311 clients and their submissions, the switchboard directory."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from hotline.accounts.models import Department
from hotline.core.crypto import EncryptedCharField
from hotline.tickets.models import Ticket


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Open311Key(models.Model):
    """An api_key for POSTing Open311 service requests; only its hash is stored."""

    name = models.CharField("客户端名称", max_length=100)
    contact = models.CharField("联系人/联系方式", max_length=200, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "Open311 接入密钥"
        verbose_name_plural = "Open311 接入密钥"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def set_new_key(self) -> str:
        """Give the key a fresh secret and return it; it is shown once and never stored."""
        raw = "o311_" + secrets.token_urlsafe(24)
        self.key_hash = _key_hash(raw)
        self.prefix = raw[5:13]
        return raw

    @classmethod
    def lookup(cls, raw: str) -> Open311Key | None:
        if not raw or len(raw) > 200:
            return None
        return cls.objects.filter(key_hash=_key_hash(raw), is_active=True).first()


class Open311Submission(models.Model):
    """One accepted POST /requests: who sent it, what Open311 fields had no place on the ticket."""

    key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="submissions")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="open311")
    # Returned in the X-Open311-Token header; GET /tokens/{token} resolves it.
    token = models.CharField(max_length=40, unique=True)
    email = models.CharField(max_length=254, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Open311 提交记录"
        verbose_name_plural = "Open311 提交记录"


class Office(models.Model):
    """An entry of the government switchboard directory (政务总机): an office and its number."""

    name = models.CharField("单位/科室", max_length=100)
    unit = models.CharField("所属机关", max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="对应承办单位",
    )
    phone = models.CharField("电话", max_length=30)
    extension = models.CharField("分机", max_length=10, blank=True)
    hours = models.CharField("办公时间", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    duties = models.TextField("主要职责", blank=True)
    # Filled on save from name and unit: "sjj" finds 市市场监管局, matched by prefix or inside.
    pinyin_initials = models.CharField(
        "拼音首字母", max_length=200, blank=True, db_index=True, editable=False
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政务总机号码"
        verbose_name_plural = "政务总机号码"
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="office_unit_name_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.name}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        from hotline.exchange.directory import initials

        self.pinyin_initials = f"{initials(self.name)} {initials(self.unit)}".strip()[:200]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def dial(self) -> str:
        return f"{self.phone} 转 {self.extension}" if self.extension else self.phone


class SwitchboardTransfer(models.Model):
    """One transfer of a caller to an office, as the agent recorded it (the call centre does the switching)."""

    class Outcome(models.TextChoices):
        CONNECTED = "connected", "已接通"
        BUSY = "busy", "占线"
        NO_ANSWER = "no_answer", "无人接听"
        GIVEN_NUMBER = "given_number", "告知号码"

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="transfers", verbose_name="转接单位"
    )
    number = models.CharField("转接号码", max_length=50)
    caller_phone = models.CharField("来电号码", max_length=30, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="关联工单"
    )
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    note = models.CharField("备注", max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="话务员",
    )
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "总机转接记录"
        verbose_name_plural = "总机转接记录"
        ordering = ["-at"]


class WebhookSubscription(models.Model):
    """A connected system that wants ticket events POSTed to it, signed with its own secret."""

    name = models.CharField("订阅方", max_length=100)
    url = models.URLField(
        "接收地址", max_length=500, help_text="http:// 或 https://，收到后应在 5 秒内返回 2xx。"
    )
    # Kept readable (encrypted at rest): it is needed to sign every delivery.
    secret = EncryptedCharField("签名密钥", blank=True, default="", editable=False)
    events = models.CharField(
        "事件",
        max_length=300,
        blank=True,
        help_text="以逗号分隔的工单动作，如 create,dispatch,reply；留空为全部。",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "推送订阅"
        verbose_name_plural = "推送订阅"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from urllib.parse import urlsplit

        from django.core.exceptions import ValidationError

        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError({"url": "接收地址须为 http:// 或 https:// 开头的完整地址。"})

    def set_new_secret(self) -> str:
        self.secret = "whsec_" + secrets.token_urlsafe(32)
        return self.secret

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.events.split(",") if a.strip())

    def wants(self, action: str) -> bool:
        return not self.actions or action in self.actions


class WebhookDelivery(models.Model):
    """One event for one subscriber: attempts, backoff and the last answer, kept as the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        GAVE_UP = "gave_up", "已放弃"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name="订阅方"
    )
    event_id = models.CharField("事件编号", max_length=64)
    event_type = models.CharField("事件", max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]


class PoliceLink(models.Model):
    """A ticket handed to 110 or received from it (12345–110 联动), with the shared 接警单号."""

    class Direction(models.TextChoices):
        TO_110 = "to_110", "转 110"
        FROM_110 = "from_110", "110 转入"

    class State(models.TextChoices):
        PENDING = "pending", "待 110 接收"
        ACCEPTED = "accepted", "已接收"
        REFUSED = "refused", "110 不予接收"
        RULED = "ruled", "首接负责认定"

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="police_links", verbose_name="工单"
    )
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    police_ref = models.CharField("110 接警单号", max_length=50, blank=True)
    reason = models.TextField("转办理由")
    state = models.CharField("状态", max_length=10, choices=State.choices)
    # Who must handle it: the receiver once accepted; after a dispute, whoever received the call first.
    owner = models.CharField("负责方", max_length=5, blank=True, choices=[("12345", "12345"), ("110", "110")])
    ruling_note = models.TextField("认定说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="经办人",
    )
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "110 联动记录"
        verbose_name_plural = "110 联动记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(state="pending"), name="one_pending_police_link"
            )
        ]

    @property
    def first_receiver(self) -> str:
        return "12345" if self.direction == self.Direction.TO_110 else "110"


class PoliceCall(models.Model):
    """A three-way call (citizen, 12345 agent, 110 operator) made for a linkage."""

    link = models.ForeignKey(
        PoliceLink, on_delete=models.CASCADE, related_name="calls", verbose_name="联动记录"
    )
    started_at = models.DateTimeField("开始时间")
    duration_s = models.PositiveIntegerField("通话时长(秒)")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="话务员",
    )
    police_operator = models.CharField("110 接警员", max_length=50, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "三方通话"
        verbose_name_plural = "三方通话"
        ordering = ["started_at"]


class WechatBinding(models.Model):
    """A WeChat follower (openid) and the phone number they proved with a code, to track and rate."""

    openid = models.CharField("openid", max_length=64, unique=True)
    phone = models.CharField("绑定手机", max_length=30, blank=True, db_index=True)
    verified_at = models.DateTimeField("绑定时间", null=True, blank=True)
    # A bind in progress: the number asked for, the code's keyed hash, when it expires, wrong tries.
    pending_phone = models.CharField("待验证手机", max_length=30, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField("首次互动", default=timezone.now)

    class Meta:
        verbose_name = "微信绑定"
        verbose_name_plural = "微信绑定"

    def __str__(self) -> str:
        return self.openid


class WechatMessage(models.Model):
    """One message received on the official account, kept once per MsgId with the reply we gave."""

    # MsgId for messages, FromUserName + CreateTime for events (WeChat's own dedupe rule).
    msg_key = models.CharField("消息编号", max_length=100, unique=True)
    openid = models.CharField("openid", max_length=64, db_index=True)
    msg_type = models.CharField("类型", max_length=20)
    content = models.TextField("内容", blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="工单"
    )
    reply = models.TextField("回复", blank=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "微信消息"
        verbose_name_plural = "微信消息"
        ordering = ["-received_at"]


class NoticeOptOut(models.Model):
    """A phone number whose owner asked for no status notices (SMS or WeChat)."""

    phone = models.CharField("手机号码", max_length=30, unique=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "不接收通知的号码"
        verbose_name_plural = "不接收通知的号码"


class CitizenNotice(models.Model):
    """The outbox of notices to citizens (SMS or WeChat template message): attempts and the delivery log."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信模板消息"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        GAVE_UP = "gave_up", "已放弃"
        OPTED_OUT = "opted_out", "未发送（号码已退订）"

    # Blank until delivery for lifecycle notices: the opt-out and the WeChat binding are looked up
    # when the notice is sent, and the row then records the channel actually used.
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, blank=True)
    to = models.CharField("接收方", max_length=64)
    phone = models.CharField("手机号码", max_length=30, blank=True)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    purpose = models.CharField("用途", max_length=30)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="工单"
    )
    # Set for lifecycle notices (ticket, event): a repeated signal queues nothing twice.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    gateway_ref = models.CharField("网关编号", max_length=100, blank=True)
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "市民通知"
        verbose_name_plural = "市民通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="citizen_notice_due_idx")]


class ProvinceOutbox(models.Model):
    """One push to the provincial platform (acceptance, status, reply), retried with backoff until accepted."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", "受理回执"
        STATUS = "status", "状态同步"
        REPLY = "reply", "办理答复"

    class Status(models.TextChoices):
        PENDING = "pending", "待推送"
        DELIVERED = "delivered", "已推送"
        GAVE_UP = "gave_up", "已放弃"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name="工单")
    province_id = models.CharField("省平台工单号", max_length=100, db_index=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    # Sent as the Idempotency-Key header: the province applies one key once, however often it arrives.
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "省平台推送"
        verbose_name_plural = "省平台推送"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="province_outbox_due_idx")]


class ExchangeCursor(models.Model):
    """Where a pull from another system got to (e.g. the province's ticket feed)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "拉取进度"
        verbose_name_plural = "拉取进度"


class EmailIntake(models.Model):
    """One e-mail taken in as a ticket, once per Message-ID."""

    message_id = models.CharField("Message-ID", max_length=250, unique=True)
    sender = models.CharField("发件人", max_length=254, blank=True)
    subject = models.CharField("主题", max_length=300, blank=True)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name="工单")
    received_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = "邮件受理"
        verbose_name_plural = "邮件受理"
        ordering = ["-received_at"]
