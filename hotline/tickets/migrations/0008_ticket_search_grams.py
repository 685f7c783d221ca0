"""Ticket text search: the bigram column, its indexes (PostgreSQL), and the fill of existing rows.

Not atomic, so the new column commits at once and does not keep the tickets table locked while rows
are filled: the fill commits every batch (and resumes after an interruption: it only fills NULLs).
Up to `search.MIGRATION_FILL_LIMIT` rows are filled here; a larger installation fills the rest with
`hotline tickets reindex-search` while running (searches stay exact meanwhile: rows not yet indexed
are checked with the plain filter, found through the small partial index of NULL rows).

On PostgreSQL the GIN index (and the partial index of unindexed rows) is built CONCURRENTLY, after
the fill, so intake keeps writing during the build (a plain CREATE INDEX would block it). SQLite keeps
the plain filter and has no index.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEXES = (
    # fastupdate (the default) queues new entries in a pending list, so an intake insert stays cheap.
    ("ticket_search_grams_gin", "USING gin (search_grams)"),
    ("ticket_search_unindexed_idx", "(id) WHERE search_grams IS NULL"),
)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from hotline.tickets import search

    Ticket = apps.get_model("tickets", "Ticket")
    missing = Ticket.objects.filter(search_grams__isnull=True).count()
    if missing > search.MIGRATION_FILL_LIMIT:
        print(
            f"\n  {missing} 张工单的全文检索索引未填充：请运行 `hotline tickets reindex-search`"
            "（可在服务运行时执行；填充前检索结果不变，只是较慢）。"
        )
        return
    search.backfill(Ticket)


def create_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_ticket {definition}"
        )
    # 10,000 most common bigrams in the statistics (default 1,000): `search.uses_index` reads them to
    # tell a rare query (index) from a common one (walk the newest tickets). ANALYZE samples 300 k rows.
    schema_editor.execute("ALTER TABLE tickets_ticket ALTER COLUMN search_grams SET STATISTICS 1000")
    schema_editor.execute("ANALYZE tickets_ticket")


def drop_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction; the fill commits per batch

    dependencies = [
        ("tickets", "0007_ticket_status_since"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_grams",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
