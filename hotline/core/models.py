"""Working-day calendar tables, the audit log and the job runner's heartbeat."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarDay(models.Model):
    """A dated exception to the Monday–Friday week: a holiday on a weekday, or a 调休 workday on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休工作日"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日/调休"
        verbose_name_plural = "节假日/调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule has been published (from chinesecalendar or entered by an admin)."""

    class Source(models.TextChoices):
        PACKAGE = "package", "chinesecalendar"
        ADMIN = "admin", "管理员录入"

    year = models.PositiveIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "已发布的年度安排"
        verbose_name_plural = "已发布的年度安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarRule(models.Model):
    """How deadlines are counted (one row). See docs/architecture.md, "Working days"."""

    count_intake_day = models.BooleanField("受理当日计入时限", default=False)
    cutoff = models.TimeField("当日受理截止时间", default=time(17, 0))
    deadline_time = models.TimeField("时限截止时刻", default=time(23, 59, 59))
    # "08:30-12:00,13:30-17:30": the windows in which working-hour (urgent) clocks run.
    work_windows = models.CharField("工作时段", max_length=100, default="08:30-12:00,13:30-17:30")

    class Meta:
        verbose_name = "时限计算规则"
        verbose_name_plural = "时限计算规则"

    def parsed_windows(self) -> tuple[tuple[time, time], ...]:
        windows = []
        for part in self.work_windows.split(","):
            start, end = part.strip().split("-")
            windows.append((time.fromisoformat(start), time.fromisoformat(end)))
        return tuple(windows)


class AuditLog(models.Model):
    """Who saw or did what outside the ticket timeline (unmasking a citizen, exports, sign-ins)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    address = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["object_type", "object_id"])]


class JobHeartbeat(models.Model):
    """Written by the periodic job runner every minute; /healthz reads it."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=100, blank=True)
