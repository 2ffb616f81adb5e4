"""The analysis rows stored so far get the participant's and her baseline's columns; the
refresh (`exports.derived.refresh_outcomes`) keeps them from now on.

Apart from 0005: on PostgreSQL the new foreign key's deferred checks, fired by this update,
would keep 0005 from creating its index in the same transaction."""

from django.db import migrations

from trialsite.migration_operations import copy_columns

BASELINE_COLUMNS = (
    "histology",
    "grade",
    "er_percent",
    "pr_percent",
    "her2_ihc",
    "her2_ish",
    "ki67_percent",
    "clinical_t",
    "clinical_n",
    "menopausal_status",
)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0005_analysis_row_whole"),
        # The columns the copies read.
        ("assessments", "0007_surgery_margins_axilla_stay"),
        ("enrollment", "0004_history_user_protected_and_named"),
    ]

    operations = [
        copy_columns(
            "exports_participantoutcome",
            ("study_id", "site_id", "enrolment_date", "diagnosis_date", "status"),
            "enrollment_participant",
            ("study_id", "site_id", "enrolment_date", "diagnosis_date", "status"),
            key="participant_id",
        ),
        copy_columns(
            "exports_participantoutcome",
            BASELINE_COLUMNS,
            "assessments_baseline",
            BASELINE_COLUMNS,
            key="participant_id",
            source_key="participant_id",
        ),
    ]
