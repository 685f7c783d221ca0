"""Users, roles, the department tree and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Department(models.Model):
    """A node of the organisation tree: city bureaus, districts, streets, hotline-centre teams."""

    class Kind(models.TextChoices):
        CITY_BUREAU = "city_bureau", "市级部门"
        COUNTY = "county", "县(市、区)"
        ZONE = "zone", "功能区"
        STREET = "street", "街道/镇"
        OFFICE = "office", "科室/站所"
        CENTRE = "centre", "热线中心"
        ENTERPRISE = "enterprise", "公共服务企业"

    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/1/7/42/": a subtree is one indexed prefix match, on SQLite and PostgreSQL.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField("启用", default=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.pk:
            super().save(*args, **kwargs)  # type: ignore[arg-type]
            kwargs = {}
        self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def is_within(self, other: Department) -> bool:
        """True if this department is `other` or lies below it."""
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    AGENT = "agent", "话务员"
    DISPATCHER = "dispatcher", "派单员"
    REVIEWER = "reviewer", "审核员"
    DEPT_HANDLER = "dept_handler", "承办人"
    DEPT_MANAGER = "dept_manager", "承办单位负责人"
    VISIT_AGENT = "visit_agent", "回访员"
    QA_INSPECTOR = "qa_inspector", "质检员"
    SUPERVISOR = "supervisor", "主管"
    ANALYST = "analyst", "数据分析员"
    ANNOTATOR = "annotator", "数据标注员"
    HR = "hr", "人事"
    ADMIN = "admin", "系统管理员"


DEPARTMENT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})
# Roles that work for the hotline centre itself and so see every ticket.
CENTRE_ROLES = frozenset(set(Role) - DEPARTMENT_ROLES)
# Roles that may see citizens' full phone and ID numbers (the view is audited).
UNMASK_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.REVIEWER, Role.VISIT_AGENT, Role.SUPERVISOR})


class User(AbstractUser):
    """A person who signs in: one role, and a department (required for department roles)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="部门"
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    employee_no = models.CharField("工号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_department_user(self) -> bool:
        return self.role in DEPARTMENT_ROLES

    @property
    def may_unmask(self) -> bool:
        return self.role in UNMASK_ROLES


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a machine client or a person's script; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    @classmethod
    def issue(cls, *, user: User, name: str = "", expires_at: object = None) -> tuple[ApiToken, str]:
        raw = "hl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_token(raw), prefix=raw[3:11], expires_at=expires_at
        )
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        token = (
            cls.objects.select_related("user", "user__department").filter(key_hash=_hash_token(raw)).first()
        )
        if token is None or token.revoked or not token.user.is_active:
            return None
        if token.expires_at and token.expires_at <= timezone.now():
            return None
        return token
