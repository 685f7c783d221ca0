"""A default rubric (the contract's five points) and one plan of each kind, so the desk works out of the box."""

from django.db import migrations

ITEMS = [
    ("服务用语/规范开头", 15, False, "规范开头语、结束语，使用普通话和文明用语"),
    ("记录准确", 25, True, "诉求要素（人、事、地、时、诉求）完整准确，无明显错误"),
    ("政策解答正确", 25, True, "答复内容与热线百科和现行政策一致"),
    ("派单准确", 20, False, "分类、承办单位选择正确，无须改派"),
    ("服务态度", 15, False, "耐心倾听、不推诿、不与市民争执"),
]
PLANS = [
    ("随机抽检 2%", "random"),
    ("投诉类工单", "complaints"),
    ("长通话（10 分钟以上）", "long_calls"),
    ("新员工（入职 90 天内）", "new_agents"),
    ("重办工单", "reopened"),
]


def forwards(apps, schema_editor):
    Rubric = apps.get_model("quality", "Rubric")
    RubricItem = apps.get_model("quality", "RubricItem")
    SamplingPlan = apps.get_model("quality", "SamplingPlan")
    rubric, created = Rubric.objects.get_or_create(name="话务与工单质检标准", defaults={"pass_score": 85})
    if created:
        for order, (name, weight, critical, guide) in enumerate(ITEMS):
            RubricItem.objects.create(
                rubric=rubric, name=name, weight=weight, critical=critical, guide=guide, order=order
            )
    for name, kind in PLANS:
        SamplingPlan.objects.get_or_create(
            name=name, defaults={"kind": kind, "rubric": rubric, "max_items": 200 if kind == "random" else 50}
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_quality_inspection")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
