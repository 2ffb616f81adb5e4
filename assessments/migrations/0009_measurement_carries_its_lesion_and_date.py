"""Carry on each lesion measurement its assessment's study ID and date and its lesion's number
(audit.carried), so that the export of the measurements reads their table alone: added empty,
filled by one UPDATE per source (the history rows too), then refused empty; on PostgreSQL the
foreign keys (assessment_id, study_id, assessment_date) -> assessment (id, study_id,
assessment_date) and (lesion_id, lesion_number) -> lesion (id, number), each declared unique
for it, keep them their sources'."""

from django.db import migrations, models

import audit.carried
import enrollment.fields
from trialsite.migration_operations import carried_columns_foreign_key

MEASUREMENTS = ("assessments_lesionmeasurement", "assessments_historicallesionmeasurement")

COPIES = {
    "study_id": lambda: enrollment.fields.CarriedStudyIdField(
        max_length=16, source="assessment", verbose_name="study ID"
    ),
    "lesion_number": lambda: audit.carried.CarriedSmallIntegerField(
        attribute="number", once=True, source="lesion", verbose_name="lesion number"
    ),
    "assessment_date": lambda: audit.carried.CarriedDateField(
        attribute="assessment_date", source="assessment", verbose_name="assessment date"
    ),
}


def _copy_from_assessment_and_lesion(table: str) -> migrations.RunSQL:
    """Fill a measurement's copies (PostgreSQL, and SQLite 3.15 and later: row values); a
    history row whose assessment or lesion is gone (none should be) keeps them empty."""
    sources = (
        'FROM "assessments_responseassessment" AS assessment, '
        '"assessments_baselinelesion" AS lesion '
        f'WHERE assessment."id" = "{table}"."assessment_id" AND lesion."id" = "{table}"."lesion_id"'
    )
    return migrations.RunSQL(
        # Names from this migration, never from input.
        sql=(
            f'UPDATE "{table}" SET ("study_id", "assessment_date", "lesion_number") = '  # noqa: S608
            f'(SELECT assessment."study_id", assessment."assessment_date", lesion."number" '
            f"{sources}) WHERE EXISTS (SELECT 1 {sources})"
        ),
        reverse_sql=migrations.RunSQL.noop,
        elidable=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_carried_study_id"),
        ("enrollment", "0006_screening_carries_study_id"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field())
            for model in ("lesionmeasurement", "historicallesionmeasurement")
            for name, field in COPIES.items()
        ),
        # One UPDATE per table from both sources: a second UPDATE of the rows the first wrote
        # would queue their deferred foreign-key checks, and PostgreSQL then refuses the
        # ALTER TABLEs below; each row is also rewritten once, not twice.
        *(_copy_from_assessment_and_lesion(table) for table in MEASUREMENTS),
        migrations.AddConstraint(
            model_name="baselinelesion",
            constraint=models.UniqueConstraint(fields=("id", "number"), name="lesion_id_number"),
        ),
        migrations.AddConstraint(
            model_name="lesionmeasurement",
            constraint=models.CheckConstraint(
                condition=models.Q(("study_id", ""), _negated=True),
                name="measurement_study_id_carried",
            ),
        ),
        migrations.AddConstraint(
            model_name="lesionmeasurement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("assessment_date__isnull", False), ("lesion_number__isnull", False)
                ),
                name="measurement_copies_carried",
            ),
        ),
        migrations.AddConstraint(
            model_name="responseassessment",
            constraint=models.UniqueConstraint(
                fields=("id", "study_id", "assessment_date"), name="assessment_id_study_id_date"
            ),
        ),
        carried_columns_foreign_key(
            MEASUREMENTS[0],
            ("assessment_id", "study_id", "assessment_date"),
            "assessments_responseassessment",
            ("id", "study_id", "assessment_date"),
            name="assessments_lesionmeasurement_assessment_carried_fk",
        ),
        carried_columns_foreign_key(
            MEASUREMENTS[0],
            ("lesion_id", "lesion_number"),
            "assessments_baselinelesion",
            ("id", "number"),
            name="assessments_lesionmeasurement_lesion_carried_fk",
        ),
    ]
