"""The work order (工单) and everything hanging off it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import Department
from hotline.core.crypto import EncryptedCharField


class Category(models.Model):
    """A node of the three-level request classification (诉求分类), admin-managed."""

    name = models.CharField("名称", max_length=60)
    code = models.CharField("编码", max_length=30, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField("层级", default=1)
    pinyin_initials = models.CharField("拼音首字母", max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="category_level_1_3")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        from pypinyin import Style, lazy_pinyin

        self.level = self.parent.level + 1 if self.parent_id and self.parent else 1
        self.pinyin_initials = "".join(lazy_pinyin(self.name, style=Style.FIRST_LETTER)).lower()[:60]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        expected = self.parent.level + 1 if self.parent else 1
        if expected > 3:
            raise ValidationError("诉求分类最多三级。")
        self.level = expected


# The citizen's own rating of a closed ticket (portal), on the visit's satisfaction scale.
VISIT_RESULT_LABELS_RATED = (
    ("satisfied", "满意"),
    ("basically_satisfied", "基本满意"),
    ("unsatisfied", "不满意"),
)


# The values of the open states (OPEN_STATUSES below), for index conditions declared inside Ticket.
OPEN_STATUS_VALUES = [
    "draft",
    "pending_dispatch",
    "dispatched",
    "acknowledged",
    "return_pending",
    "extension_pending",
    "replied",
    "pending_visit",
]


class TicketQuerySet(models.QuerySet["Ticket"]):
    """Bulk writes keep the text-search bigrams (`search_grams`) filled, as `Ticket.save()` does."""

    def bulk_create(self, objs: Iterable[Ticket], *args: Any, **kwargs: Any) -> list[Ticket]:
        from hotline.tickets.search import fill

        objs = list(objs)
        fill(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[Ticket], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        from hotline.tickets.search import SOURCE_FIELDS, fill

        fields = list(fields)
        if not set(fields).isdisjoint(SOURCE_FIELDS):
            objs = list(objs)
            fill(objs)
            fields.append("search_grams")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class TicketManager(models.Manager.from_queryset(TicketQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> TicketQuerySet:
        # The bigrams (a kilobyte or two a ticket) are only for the search condition, never shown:
        # ticket reads leave them in the database. (Through select_related they still come along.)
        return super().get_queryset().defer("search_grams")


class Ticket(models.Model):
    """A work order: one citizen request from intake to archive."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ANSWERED = "answered", "直接答复"
        PENDING_DISPATCH = "pending_dispatch", "待派单"
        DISPATCHED = "dispatched", "待签收"
        ACKNOWLEDGED = "acknowledged", "办理中"
        RETURN_PENDING = "return_pending", "退单审核中"
        EXTENSION_PENDING = "extension_pending", "延期审核中"
        REPLIED = "replied", "待审核"
        PENDING_VISIT = "pending_visit", "待回访"
        CLOSED = "closed", "已办结"
        MERGED = "merged", "已并单"
        INVALID = "invalid", "无效工单"
        ARCHIVED = "archived", "已归档"

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        WEB = "web", "网站"
        WECHAT = "wechat", "微信"
        OPEN311 = "open311", "Open311"
        PROVINCE = "province", "省平台"
        POLICE = "police", "110联动"
        SWITCHBOARD = "switchboard", "政务总机"
        EMAIL = "email", "邮件"

    class Type(models.TextChoices):
        CONSULTATION = "consultation", "咨询"
        HELP = "help", "求助"
        COMPLAINT = "complaint", "投诉"
        REPORT = "report", "举报"
        SUGGESTION = "suggestion", "建议"
        PRAISE = "praise", "表扬"
        OTHER = "other", "其他"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "一般"
        URGENT = "urgent", "紧急"
        CRITICAL = "critical", "特急"

    class Hotline(models.TextChoices):
        H12345 = "12345", "12345 政务服务便民热线"
        H12315 = "12315", "12315 市场监管"
        H12319 = "12319", "12319 城建"
        H12328 = "12328", "12328 交通运输"
        H12329 = "12329", "12329 住房公积金"
        H12348 = "12348", "12348 法律服务"
        H12393 = "12393", "12393 医疗保障"
        H110 = "110", "110 联动"

    number = models.CharField("工单编号", max_length=20, unique=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices, default=Channel.PHONE)
    hotline = models.CharField("热线", max_length=8, choices=Hotline.choices, default=Hotline.H12345)
    type = models.CharField("类型", max_length=20, choices=Type.choices, default=Type.CONSULTATION)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name="分类"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=300, blank=True)
    district = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="区县"
    )
    street = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="街道"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    citizen_name = models.CharField("诉求人", max_length=60, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=30, blank=True, db_index=True)
    citizen_id_number = EncryptedCharField("身份证号", blank=True, default="")
    confidential = models.BooleanField("保密", default=False)
    anonymous = models.BooleanField("匿名", default=False)
    no_callback = models.BooleanField("不需回访", default=False)

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_children",
        verbose_name="并入工单",
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name="关联工单")

    # Indexed with status below (Meta.indexes); every index here costs every status change.
    created_at = models.DateTimeField("受理时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the ticket entered its current status: how long it has waited in a queue (dispatch,
    # review, visit) without reading its events. Set by the write path on every status change.
    status_since = models.DateTimeField("进入当前状态时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # The handling clock: cached results of core.workdays over the policy, pauses and extensions.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    budget = models.PositiveIntegerField("办理时限", default=0)
    budget_unit = models.CharField(max_length=5, default="days")
    due_at = models.DateTimeField("办结期限", null=True, blank=True)  # indexed with status (Meta)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField("超期时间", null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)

    supervised = models.BooleanField("督办", default=False)
    urge_count = models.PositiveIntegerField("催办次数", default=0)
    reopen_count = models.PositiveIntegerField("重办次数", default=0)
    return_count = models.PositiveIntegerField("退单次数", default=0)
    lead_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="主办单位",
        db_index=False,  # (lead_department, status) in Meta.indexes serves it
    )
    first_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="首次派发单位",
    )
    completing_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办结单位"
    )
    visit_result = models.CharField("回访结果", max_length=20, blank=True)
    close_reason = models.CharField("关闭原因", max_length=200, blank=True)
    # Status before a pause-like state (退单/延期审核, 并单) to return to.
    resume_status = models.CharField(max_length=20, blank=True)
    # Citizen portal: the query code is shown once at submission; only its keyed hash is kept.
    query_code_hash = models.CharField("查询码摘要", max_length=128, blank=True, editable=False)
    citizen_rating = models.CharField(
        "市民评价", max_length=20, blank=True, choices=VISIT_RESULT_LABELS_RATED
    )
    citizen_rating_comment = models.TextField("评价意见", blank=True)
    citizen_rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # Character bigrams of title, content and address for text search (tickets/search.py); NULL until
    # indexed. Its GIN index is PostgreSQL-only SQL in migration 0008, so it is not in Meta.indexes.
    search_grams = SearchVectorField(null=True, editable=False)

    objects = TicketManager()

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["status", "status_since", "id"], name="ticket_status_since_idx"),
            models.Index(fields=["lead_department", "status"]),
            models.Index(fields=["created_at", "status"]),
            # Open tickets only (closed ones are most rows). Inboxes walk the first by deadline and
            # find a page's ids without reading a row; desk counts read status and deadline from the
            # second. Both are index-only on PostgreSQL.
            models.Index(
                fields=["due_at", "id"],
                name="ticket_open_due_idx",
                condition=Q(status__in=OPEN_STATUS_VALUES),
            ),
            models.Index(
                fields=["id"],
                name="ticket_open_idx",
                include=["status", "due_at"],
                condition=Q(status__in=OPEN_STATUS_VALUES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only a save that may change the text re-indexes it: status moves cost nothing extra.
        from hotline.tickets.search import SOURCE_FIELDS, ticket_document

        update_fields = kwargs.get("update_fields")
        if update_fields is None or not set(update_fields).isdisjoint(SOURCE_FIELDS):
            self.search_grams = ticket_document(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_grams"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        if not self.due_at or self.status not in CLOCK_STATUSES:
            return False
        return self.due_at < timezone.now()

    @property
    def citizen_phone_masked(self) -> str:
        from hotline.core.masking import mask_phone

        return mask_phone(self.citizen_phone)

    @property
    def citizen_name_masked(self) -> str:
        from hotline.core.masking import mask_name

        return mask_name(self.citizen_name)

    @property
    def is_rateable(self) -> bool:
        """The citizen may rate once, after the ticket is finished."""
        from hotline.tickets.workflow import TRANSITIONS

        return self.status in TRANSITIONS["rate"].sources and self.citizen_rated_at is None

    @property
    def visit_result_label(self) -> str:
        return VISIT_RESULT_LABELS.get(self.visit_result, self.visit_result)


VISIT_RESULT_LABELS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "unreachable": "未联系上",
}
# Event actions that are not transitions in the table.
EVENT_LABELS = {
    "create": "受理",
    "attach": "上传附件",
    "warning": "临期预警",
    "overdue": "超期",
    "link": "关联工单",
}

S = Ticket.Status
# States in which a department holds the ticket and the handling clock runs (or is paused).
CLOCK_STATUSES = frozenset({S.DISPATCHED, S.ACKNOWLEDGED, S.RETURN_PENDING, S.EXTENSION_PENDING})
OPEN_STATUSES = frozenset(S(v) for v in OPEN_STATUS_VALUES)
FINAL_STATUSES = frozenset({S.ANSWERED, S.CLOSED, S.INVALID, S.ARCHIVED, S.MERGED})
# Finished: no department holds the ticket any more (merging withdraws assignments itself, for undo).
DONE_STATUSES = frozenset({S.ANSWERED, S.CLOSED, S.INVALID, S.ARCHIVED})


class Assignment(models.Model):
    """A department's share of a ticket: lead (主办) or assisting (协办); level 2 is a department's own sub-dispatch."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        ASSIST = "assist", "协办"

    class State(models.TextChoices):
        PENDING = "pending", "待签收"
        ACKNOWLEDGED = "acknowledged", "已签收"
        REPLIED = "replied", "已答复"
        RETURNED = "returned", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )  # assignment_ticket_path_idx leads with it
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEAD)
    level = models.PositiveSmallIntegerField(default=1)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    state = models.CharField(max_length=15, choices=State.choices, default=State.PENDING)
    active = models.BooleanField(default=True)
    # Denormalised for the inbox query: the department's path prefix-matches the user's subtree.
    department_path = models.CharField(max_length=255, db_index=True)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_due_at = models.DateTimeField("签收期限", null=True, blank=True)
    ack_urged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)

    class Meta:
        verbose_name = "派单记录"
        verbose_name_plural = "派单记录"
        indexes = [
            models.Index(fields=["department", "active", "state"]),
            # The department inbox: open work in a subtree, by path prefix (pattern ops on PostgreSQL),
            # with the ticket id so counts never read a row.
            models.Index(
                fields=["department_path", "ticket"],
                name="assignment_open_path_idx",
                condition=Q(active=True),
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            # "Is this ticket in that subtree?" (the scope rule and the inbox walk), index-only.
            models.Index(
                fields=["ticket", "department_path"], name="assignment_ticket_path_idx", include=["active"]
            ),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.department_path:
            self.department_path = self.department.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class TicketRequest(models.Model):
    """A department's request needing the centre's decision: return (退单) or extension (延期)."""

    class Kind(models.TextChoices):
        RETURN = "return", "退单"
        EXTENSION = "extension", "延期"

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "已驳回"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由")
    legal_basis = models.CharField("退单依据", max_length=300, blank=True)
    days = models.PositiveIntegerField("延期工作日", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "退单/延期申请"
        verbose_name_plural = "退单/延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state="pending"), name="one_pending_request_per_ticket"
            )
        ]


class ClockPause(models.Model):
    """A stretch during which the handling clock stood still (a pending return or extension request)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=20)

    class Meta:
        ordering = ["started_at"]


class TicketEvent(models.Model):
    """One immutable line of a ticket's history. Rows are only ever inserted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    actor_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["ticket", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="ticket_event_seq_unique")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("工单事件只能追加，不能修改。")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("工单事件只能追加，不能删除。")

    @property
    def action_label(self) -> str:
        from hotline.tickets.workflow import TRANSITIONS

        move = TRANSITIONS.get(self.action)
        label = move.label if move else EVENT_LABELS.get(self.action, self.action)
        if self.action == "visit":
            label += "：" + VISIT_RESULT_LABELS.get(str(self.data.get("result", "")), "")
        if self.action == "urge" and self.data.get("automatic"):
            label = "自动催办"
        return label

    @property
    def from_label(self) -> str:
        return (
            Ticket.Status(self.from_status).label
            if self.from_status in Ticket.Status.values
            else self.from_status
        )

    @property
    def to_label(self) -> str:
        return (
            Ticket.Status(self.to_status).label if self.to_status in Ticket.Status.values else self.to_status
        )


def _attachment_path(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.ticket_id}/{filename}"


class Attachment(models.Model):
    """A file on a ticket: photo, document or recording, type checked by content."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )


class ExternalRef(models.Model):
    """A ticket's number in another system (province, 110, Open311, WeChat); one per system and reference."""

    class System(models.TextChoices):
        PROVINCE = "province", "省平台"
        POLICE = "police", "110"
        OPEN311 = "open311", "Open311"
        WECHAT = "wechat", "微信"
        CALL = "call", "通话"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="external_refs")
    system = models.CharField(max_length=20, choices=System.choices)
    ref = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "ref"], name="external_ref_unique")]


class IdempotencyKey(models.Model):
    """A client's key for a create request, so a retried POST returns the first result."""

    key = models.CharField(max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]


class DeadlinePolicy(models.Model):
    """Handling time per type × urgency (× category); the most specific row wins."""

    class Unit(models.TextChoices):
        DAYS = "days", "工作日"
        HOURS = "hours", "工作小时"

    type = models.CharField("类型", max_length=20, choices=Ticket.Type.choices, blank=True)
    urgency = models.CharField("紧急程度", max_length=10, choices=Ticket.Urgency.choices, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name="分类"
    )
    budget = models.PositiveIntegerField("办理时限")
    unit = models.CharField("单位", max_length=5, choices=Unit.choices, default=Unit.DAYS)
    ack_hours = models.PositiveIntegerField("签收时限(工作小时)", default=4)
    warn_ratio = models.FloatField("预警比例", default=0.8)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["type", "urgency", "category"], name="deadline_policy_unique"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="deadline_policy_budget_positive"),
            models.CheckConstraint(
                condition=Q(warn_ratio__gt=0, warn_ratio__lt=1), name="deadline_policy_warn_ratio"
            ),
        ]


class NumberSequence(models.Model):
    """Per-day counter behind human-readable ticket numbers."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)
