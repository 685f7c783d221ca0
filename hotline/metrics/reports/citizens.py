"""The only citizen data in a report: the 不满意 tickets' list, read at export time and masked per role."""

from __future__ import annotations

from django.utils import timezone

from hotline.core.masking import mask_name, mask_phone
from hotline.tickets.models import Ticket


def unsatisfied_rows(ids: list[int], *, unmasked: bool) -> list[list[str]]:
    """Number, closing time, citizen (masked unless `unmasked`), category, district, department, title."""
    rows = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("category", "district", "completing_department")
        .order_by("closed_at", "pk")
        .only(
            "number",
            "closed_at",
            "citizen_name",
            "citizen_phone",
            "title",
            "category__name",
            "district__name",
            "completing_department__name",
        )  # fmt: skip
    )
    out = []
    for t in rows:
        out.append(
            [
                t.number,
                timezone.localtime(t.closed_at).strftime("%Y-%m-%d %H:%M") if t.closed_at else "",
                t.citizen_name if unmasked else mask_name(t.citizen_name),
                t.citizen_phone if unmasked else mask_phone(t.citizen_phone),
                t.category.name if t.category else "",
                t.district.name if t.district else "",
                t.completing_department.name if t.completing_department else "",
                t.title,
            ]
        )
    return out
