"""Switchboard (政务总机) writes: import the directory from xlsx, record a transfer."""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from hotline.accounts.models import Department, Role, User
from hotline.core.errors import InvalidInput, NotAllowed, NotFound
from hotline.exchange.models import Office, SwitchboardTransfer
from hotline.tickets.models import Ticket

log = logging.getLogger(__name__)

TRANSFER_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.VISIT_AGENT})
IMPORT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
ERRORS_SHOWN = 30
PHONE_RE = re.compile(r"^[\d\-]{3,30}$")
EXTENSION_RE = re.compile(r"^\d{1,10}$")

# Column heading -> Office field. 单位名称 and 电话 are required.
COLUMNS = {
    "单位名称": "name",
    "所属机关": "unit",
    "电话": "phone",
    "分机": "extension",
    "办公时间": "hours",
    "地址": "address",
    "主要职责": "duties",
    "承办单位编码": "department",
}
REQUIRED = ("单位名称", "电话")
LIMITS = {
    "name": 100,
    "unit": 100,
    "phone": 30,
    "extension": 10,
    "hours": 100,
    "address": 200,
    "duties": 2000,
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    names: list[str] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()


def _read_rows(stream: IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            "文件不是有效的 Excel（.xlsx）文件，请用“下载导入模板”填写后上传。", fields={"file": "不是 xlsx"}
        ) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(
            f"第 1 行应为表头，缺少列：{'、'.join(missing)}。可用列：{'、'.join(COLUMNS)}。",
            fields={"file": "缺少必需列"},
        )
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    out = []
    for number, values in enumerate(rows, start=2):
        if number - 1 > IMPORT_MAX_ROWS:
            raise InvalidInput(f"一次最多导入 {IMPORT_MAX_ROWS} 行。", fields={"file": "行数过多"})
        row = {f: _cell(values[i]) if i < len(values) else "" for f, i in index.items()}
        if any(row.values()):
            out.append((number, row))
    book.close()
    return out


def _row_errors(row: dict[str, str], departments: dict[str, Department]) -> list[str]:
    errors = []
    if not row.get("name"):
        errors.append("单位名称为空")
    phone = row.get("phone", "").replace(" ", "")
    if not phone:
        errors.append("电话为空")
    elif not PHONE_RE.match(phone):
        errors.append(f"电话“{phone[:30]}”只能包含数字和“-”")
    if row.get("extension") and not EXTENSION_RE.match(row["extension"]):
        errors.append("分机只能是数字")
    for name, limit in LIMITS.items():
        if len(row.get(name, "")) > limit:
            errors.append(f"{name} 超过 {limit} 字")
    code = row.get("department", "")
    if code and code not in departments:
        errors.append(f"承办单位编码 {code[:20]} 不存在")
    return errors


def offices_import(*, stream: IO[bytes], size: int, by: User) -> ImportResult:
    """Add or update directory entries from an xlsx sheet; any bad row and nothing is imported."""
    if by.role not in IMPORT_ROLES:
        raise NotAllowed("只有主管或系统管理员可以导入政务总机号码。")
    if size <= 0:
        raise InvalidInput("文件为空。", fields={"file": "文件为空"})
    if size > IMPORT_MAX_BYTES:
        raise InvalidInput(f"文件超过 {IMPORT_MAX_BYTES // 1024 // 1024} MB。", fields={"file": "文件过大"})
    rows = _read_rows(stream)
    if not rows:
        raise InvalidInput("表格没有数据行。", fields={"file": "没有数据"})
    departments = {d.code: d for d in Department.objects.filter(is_active=True)}
    problems: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        errors = _row_errors(row, departments)
        key = (row.get("unit", ""), row.get("name", ""))
        if key in seen:
            errors.append(f"与第 {seen[key]} 行重复")
        seen.setdefault(key, number)
        if errors:
            problems[f"第 {number} 行"] = "；".join(errors)
    if problems:
        shown = dict(list(problems.items())[:ERRORS_SHOWN])
        more = f"（另有 {len(problems) - ERRORS_SHOWN} 行有误未列出）" if len(problems) > ERRORS_SHOWN else ""
        raise InvalidInput(
            f"有 {len(problems)} 行有误，未导入任何数据，请修改后重新上传{more}。", fields=shown
        )
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        existing = {(o.unit, o.name): o for o in Office.objects.select_for_update()}
        for _, row in rows:
            values = {
                "phone": row["phone"].replace(" ", ""),
                "extension": row.get("extension", ""),
                "hours": row.get("hours", ""),
                "address": row.get("address", ""),
                "duties": row.get("duties", ""),
                "department": departments.get(row.get("department", "")),
                "is_active": True,
            }
            office = existing.get((row.get("unit", ""), row["name"]))
            if office is None:
                Office(unit=row.get("unit", ""), name=row["name"], **values).save()
                result.created += 1
            elif any(getattr(office, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(office, k, v)
                office.save()
                result.updated += 1
            else:
                result.unchanged += 1
    log.info("switchboard import by %s: %s", by.username, result)
    return result


def transfer_record(
    *,
    office: Office | None,
    by: User,
    outcome: str,
    caller_phone: str = "",
    ticket_number: str = "",
    note: str = "",
) -> SwitchboardTransfer:
    """Log that the agent transferred (or gave the number to) a caller; the switching itself is the PBX's."""
    if by.role not in TRANSFER_ROLES:
        raise NotAllowed("您的角色不能使用政务总机转接。")
    if office is None or not office.is_active:
        raise NotFound("该号码不存在或已停用，请重新搜索。", fields={"office": "不存在"})
    errors: dict[str, str] = {}
    if outcome not in SwitchboardTransfer.Outcome.values:
        errors["outcome"] = "请选择转接结果。"
    phone = caller_phone.strip().replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        errors["caller_phone"] = "来电号码只能包含数字和“-”。"
    if len(note) > 300:
        errors["note"] = "备注不能超过 300 字。"
    ticket = None
    if ticket_number.strip():
        ticket = Ticket.objects.filter(number=ticket_number.strip()).first()
        if ticket is None:
            errors["ticket"] = f"工单 {ticket_number.strip()[:20]} 不存在。"
    if errors:
        raise InvalidInput("转接记录有误，请按提示修改。", fields=errors)
    transfer = SwitchboardTransfer.objects.create(
        office=office,
        number=office.dial,
        caller_phone=phone,
        ticket=ticket,
        outcome=outcome,
        note=note.strip(),
        by=by,
    )
    log.info("switchboard transfer %s -> %s (%s) by %s", phone or "-", office, outcome, by.username)
    return transfer
