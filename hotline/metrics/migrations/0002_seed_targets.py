"""Seed one KpiTarget row per indicator with the seed table's targets (admins edit them afterwards)."""

from django.db import migrations

# Frozen copy of the defaults at the time of this migration (indicators.py may change later).
DEFAULTS = {
    "answer_rate": (0.95, ">=", 0.02),
    "service_level": (0.95, ">=", 0.02),
    "ontime_rate": (1.0, ">=", 0.02),
    "satisfaction": (0.99, ">=", 0.01),
    "dispatch_accuracy": (0.98, ">=", 0.01),
    "callback_rate": (1.0, ">=", 0.02),
    "visit_coverage": (1.0, ">=", 0.02),
    "handling_days_consultation": (2.0, "<=", 0.5),
    "handling_days_other": (4.0, "<=", 0.5),
    "citation_rate": (0.80, ">=", 0.05),
    "reopen_rate": (None, "<=", 0.02),
    "agent_satisfaction": (0.99, ">=", 0.01),
    "attrition": (0.02, "<", 0.01),
    "qa_pass_rate": (0.98, ">=", 0.01),
    "dept_ack_rate": (None, ">=", 0.02),
    "dept_ontime_rate": (1.0, ">=", 0.02),
    "dept_return_rate": (None, "<=", 0.02),
    "dept_satisfaction": (0.99, ">=", 0.01),
    "dept_reopen_rate": (None, "<=", 0.02),
    "dept_extension_rate": (None, "<=", 0.02),
}


def seed(apps, schema_editor):
    KpiTarget = apps.get_model("metrics", "KpiTarget")
    for key, (target, comparison, margin) in DEFAULTS.items():
        KpiTarget.objects.get_or_create(
            key=key, defaults={"target": target, "comparison": comparison, "amber_margin": margin}
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_kpi_target")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
