"""The KPI target row for 话务服务投诉 (≤ 12 upheld complaints a year), next to the other seeded targets."""

from django.db import migrations


def forwards(apps, schema_editor):
    KpiTarget = apps.get_model("metrics", "KpiTarget")
    KpiTarget.objects.get_or_create(
        key="service_complaints", defaults={"target": 12, "comparison": "<=", "amber_margin": 0}
    )


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_default_rubric_and_plans"), ("metrics", "0002_seed_targets")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
