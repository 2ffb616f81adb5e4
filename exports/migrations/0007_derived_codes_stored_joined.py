"""The verdicts' and outcomes' lists of codes are stored as the export writes them, `a;b`
(exports.derived.joined), so that their files' columns are COPYs of the columns instead of a
JSON list rewritten per row: the column becomes text, and one UPDATE per table rewrites each
stored list's text form (`["liver", "bone"]`, the same on PostgreSQL and SQLite) as
`liver;bone`. Codes are identifiers: no bracket, quote or comma inside one."""

from django.db import migrations, models


def _joined(column: str) -> str:
    return (
        f"replace(replace(replace(replace(\"{column}\", '[', ''), ']', ''), '\"', ''), ', ', ';')"
    )


def _rewrite(table: str, *columns: str) -> migrations.RunSQL:
    assignments = ", ".join(f'"{c}" = {_joined(c)}' for c in columns)
    return migrations.RunSQL(
        sql=f'UPDATE "{table}" SET {assignments}',  # noqa: S608 - names from this migration
        reverse_sql=migrations.RunSQL.noop,
        elidable=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0006_analysis_row_copies"),
    ]

    operations = [
        *(
            migrations.AlterField(model_name=model, name=name, field=models.TextField(blank=True))
            for model, name in (
                ("participantoutcome", "metastatic_sites"),
                ("screeningverdict", "failed"),
                ("screeningverdict", "metastatic_sites"),
                ("screeningverdict", "missing"),
            )
        ),
        _rewrite("exports_participantoutcome", "metastatic_sites"),
        _rewrite("exports_screeningverdict", "metastatic_sites", "failed", "missing"),
    ]
