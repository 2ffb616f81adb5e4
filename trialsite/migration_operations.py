"""Migration operations that exist only on PostgreSQL.

Trigram indexes (pg_trgm) make a substring search fast on PostgreSQL, where the registry runs;
SQLite, the laptop fallback, has no such index and searches small data by scanning. These
operations run their SQL on PostgreSQL and do nothing elsewhere. They change no model state:
the indexes are on expressions that the ORM's `icontains` generates, not on model fields.
"""

from typing import Any

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


def trigram_index(table: str, column: str, name: str) -> PostgresOnlySQL:
    """A GIN trigram index on UPPER(column), the expression of Django's `icontains` on
    PostgreSQL, so `column__icontains=q` is an index scan instead of a table scan."""
    return PostgresOnlySQL(
        sql=f'CREATE INDEX "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)',
        reverse_sql=f'DROP INDEX "{name}"',
    )
