"""The analysis rows stored so far get the participant's and her baseline's columns; the
refresh (`exports.derived.refresh_outcomes`) keeps them from now on.

Apart from 0005: on PostgreSQL the new foreign key's deferred checks, fired by this update,
would keep 0005 from creating its index in the same transaction."""

from django.db import migrations

# One statement per source (row values: PostgreSQL, and SQLite 3.15 and later).
COPY_FROM_PARTICIPANT = """
UPDATE exports_participantoutcome
SET (study_id, site_id, enrolment_date, diagnosis_date, status) = (
    SELECT p.study_id, p.site_id, p.enrolment_date, p.diagnosis_date, p.status
    FROM enrollment_participant p WHERE p.id = exports_participantoutcome.participant_id
)
"""
BASELINE_COLUMNS = (
    "histology, grade, er_percent, pr_percent, her2_ihc, her2_ish, ki67_percent, clinical_t, "
    "clinical_n, menopausal_status"
)
COPY_FROM_BASELINE = f"""
UPDATE exports_participantoutcome
SET ({BASELINE_COLUMNS}) = (
    SELECT {BASELINE_COLUMNS}
    FROM assessments_baseline b WHERE b.participant_id = exports_participantoutcome.participant_id
)
WHERE EXISTS (
    SELECT 1 FROM assessments_baseline b
    WHERE b.participant_id = exports_participantoutcome.participant_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0005_analysis_row_whole"),
        # The columns the copies read.
        ("assessments", "0007_surgery_margins_axilla_stay"),
        ("enrollment", "0004_history_user_protected_and_named"),
    ]

    operations = [
        migrations.RunSQL(COPY_FROM_PARTICIPANT, migrations.RunSQL.noop),
        migrations.RunSQL(COPY_FROM_BASELINE, migrations.RunSQL.noop),
    ]
