"""Range indexes on the time columns the month's indicators filter by (the KPI engine's read path).

They sit on other apps' tables (tickets, call centre) because only the KPI engine needs them; they are
plain SQL so those apps' models stay as they are. On PostgreSQL they are built CONCURRENTLY (a large
production table keeps taking writes while they build); on SQLite a plain CREATE INDEX.
"""

from django.db import migrations

# (index name, table, column): a month of replies, closings, dispatches and missed calls is a range
# on these, so a month costs the same whatever the table's size.
INDEXES = (
    ("kpi_ticket_replied_at", "tickets_ticket", "replied_at"),
    ("kpi_ticket_closed_at", "tickets_ticket", "closed_at"),
    ("kpi_assignment_assigned_at", "tickets_assignment", "assigned_at"),
    ("kpi_callback_missed_at", "callcenter_callbacktask", "missed_at"),
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} ({column})")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("metrics", "0003_monthly_report"),
        ("tickets", "0001_initial"),
        ("callcenter", "0001_callcenter_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
