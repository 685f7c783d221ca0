"""The demo floor: 172 contract staff + 5 on-site managers, the gate, leavers; loading twice adds nothing."""

from __future__ import annotations

from django.utils import timezone

from hotline.workforce.demo import load_demo
from hotline.workforce.models import Staff
from hotline.workforce.selectors import staff_cleared_ids, staffing_table


def test_demo_staff_match_the_contract(city):
    assert load_demo() == 177
    assert load_demo() == 0
    table = staffing_table(timezone.localdate())
    assert table.required == 172
    assert table.actual == 170 and table.left_voluntary == 2  # two agents leave this month
    assert round(table.attrition, 4) == round(1 - 170 / 172, 4)
    live = Staff.objects.filter(post__live_seat=True).count()
    assert len(staff_cleared_ids()) == live - 3  # three new agents wait for approval
    assert Staff.objects.get(user=city.hr).post.code == "hr"
