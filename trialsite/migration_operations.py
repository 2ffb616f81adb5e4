"""Migration operations the ORM has no words for.

Most exist only on PostgreSQL. Trigram indexes (pg_trgm) make a substring search fast on
PostgreSQL, where the registry runs; SQLite, the laptop fallback, has no such index and searches
small data by scanning. The composite foreign key of a carried study ID (`enrollment.fields`)
keeps the copy equal to its parent's; Django has no composite foreign keys, and SQLite cannot
add a constraint to a table. These operations run their SQL on PostgreSQL and do nothing
elsewhere. They change no model state: the indexes are on expressions that the ORM's
`icontains` generates, the foreign key is on columns the models already declare.

The backfill of a carried study ID is one portable UPDATE, the same on both.
"""

from typing import Any

from django.db import migrations, models


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


PARTICIPANTS = "enrollment_participant"


def copy_study_id(
    table: str, parent_column: str = "participant_id", parent_table: str = PARTICIPANTS
) -> migrations.RunSQL:
    """Fill a carried study ID from its parent row, in one UPDATE (PostgreSQL and SQLite);
    a history row whose parent is gone (none should be) gets an empty one."""
    return migrations.RunSQL(
        # Names from the migrations themselves, never from input.
        sql=(
            f'UPDATE "{table}" SET "study_id" = COALESCE('  # noqa: S608
            f'(SELECT parent."study_id" FROM "{parent_table}" AS parent '
            f'WHERE parent."id" = "{table}"."{parent_column}"), \'\')'
        ),
        reverse_sql=migrations.RunSQL.noop,
        elidable=False,
    )


def carried_study_id_foreign_key(
    table: str, parent_column: str = "participant_id", parent_table: str = PARTICIPANTS
) -> PostgresOnlySQL:
    """(parent key, study_id) -> the parent's (id, study_id): a row's carried study ID is its
    parent's, or the row is refused. Deferred to the commit, as Django's own foreign keys are;
    NO ACTION on the parent's side, so a study ID that rows carry cannot be changed either."""
    name = f"{table}_study_id_fk"
    return PostgresOnlySQL(
        sql=(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" '
            f'FOREIGN KEY ("{parent_column}", "study_id") '
            f'REFERENCES "{parent_table}" ("id", "study_id") DEFERRABLE INITIALLY DEFERRED'
        ),
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
    )


def carried_columns_foreign_key(
    table: str,
    columns: tuple[str, ...],
    parent_table: str,
    parent_columns: tuple[str, ...],
    *,
    name: str,
) -> PostgresOnlySQL:
    """(row's key of its parent, the columns it carries) -> the parent's (key, columns): a row's
    copies (`audit.carried`) are its parent's, or the row is refused. Deferred to the commit
    and NO ACTION on the parent's side, as `carried_study_id_foreign_key`."""
    own, theirs = (", ".join(f'"{c}"' for c in cols) for cols in (columns, parent_columns))
    return PostgresOnlySQL(
        sql=(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ({own}) '
            f'REFERENCES "{parent_table}" ({theirs}) DEFERRABLE INITIALLY DEFERRED'
        ),
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
    )


def copy_columns(
    table: str,
    columns: tuple[str, ...],
    source_table: str,
    source_columns: tuple[str, ...],
    *,
    key: str,
    source_key: str = "id",
) -> migrations.RunSQL:
    """Fill a row's carried columns (`audit.carried`) from the source row its `key` names, in
    one UPDATE (row values: PostgreSQL, and SQLite 3.15 and later); a row without a source
    keeps them empty."""
    own, theirs = (", ".join(f'"{c}"' for c in cols) for cols in (columns, source_columns))
    match = f'source."{source_key}" = "{table}"."{key}"'
    return migrations.RunSQL(
        # Names from the migrations themselves, never from input.
        sql=(
            f'UPDATE "{table}" SET ({own}) = (SELECT {theirs} FROM "{source_table}" AS source '  # noqa: S608
            f'WHERE {match}) WHERE EXISTS (SELECT 1 FROM "{source_table}" AS source WHERE {match})'
        ),
        reverse_sql=migrations.RunSQL.noop,
        elidable=False,
    )


def carry_study_id(
    app_label: str,
    model_name: str,
    *,
    check: str,
    history: bool = True,
    parent: str = "participant",
    parent_table: str = PARTICIPANTS,
) -> list[migrations.operations.base.Operation]:
    """The operations that give a model (and its history) a carried study ID
    (`enrollment.fields.CarriedStudyIdField`): the column added empty, filled from the parent,
    refused empty by the CHECK `check`, and on PostgreSQL kept the parent's by the foreign key."""
    from enrollment.fields import STUDY_ID_MAX_LENGTH, CarriedStudyIdField

    def field() -> CarriedStudyIdField:
        return CarriedStudyIdField(
            max_length=STUDY_ID_MAX_LENGTH, source=parent, verbose_name="study ID"
        )

    models_ = [model_name, *([f"historical{model_name}"] if history else [])]
    parent_column = f"{parent}_id"
    return [
        *(migrations.AddField(model_name=m, name="study_id", field=field()) for m in models_),
        *(copy_study_id(f"{app_label}_{m}", parent_column, parent_table) for m in models_),
        migrations.AddConstraint(
            model_name=model_name,
            constraint=models.CheckConstraint(condition=~models.Q(study_id=""), name=check),
        ),
        carried_study_id_foreign_key(f"{app_label}_{model_name}", parent_column, parent_table),
    ]
