"""Carry the participant's study ID on the baselines, their lesions, the therapy lines, the
response assessments and the operations (enrollment.fields; the exports read it without joining
the participants): added empty, filled by one UPDATE per table (the history rows too), then
refused empty; on PostgreSQL a foreign key (participant_id, study_id) -> participant (id,
study_id) keeps it hers. A lesion copies its baseline's, after the baselines are filled, and
(baseline_id, study_id) -> baseline (id, study_id), declared unique for it, keeps it so."""

from django.db import migrations, models

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_surgery_margins_axilla_stay"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        *carry_study_id("assessments", "baseline", check="baseline_study_id_carried"),
        *carry_study_id("assessments", "therapyline", check="therapy_study_id_carried"),
        *carry_study_id(
            "assessments", "responseassessment", check="assessment_study_id_carried"
        ),
        *carry_study_id("assessments", "surgery", check="surgery_study_id_carried"),
        # After the baselines: a lesion copies its baseline's, keyed by (id, study_id).
        migrations.AddConstraint(
            model_name="baseline",
            constraint=models.UniqueConstraint(
                fields=("id", "study_id"), name="baseline_id_study_id"
            ),
        ),
        *carry_study_id(
            "assessments",
            "baselinelesion",
            check="lesion_study_id_carried",
            parent="baseline",
            parent_table="assessments_baseline",
        ),
    ]
