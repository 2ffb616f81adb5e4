"""Carry the participant's study ID on the baselines, their lesions, the therapy lines, the
response assessments and the operations (enrollment.fields; the exports read it without joining
the participants): added empty, filled by one UPDATE per table (the history rows too), then
refused empty; on PostgreSQL a foreign key (participant_id, study_id) -> participant (id,
study_id) keeps it hers. A lesion copies its baseline's, after the baselines are filled, and
(baseline_id, study_id) -> baseline (id, study_id), declared unique for it, keeps it so."""

from django.db import migrations, models

import enrollment.fields
from trialsite.migration_operations import carried_study_id_foreign_key, copy_study_id


def _field(source="participant"):
    return enrollment.fields.CarriedStudyIdField(
        max_length=16, source=source, verbose_name="study ID"
    )


def _not_empty(name):
    return models.CheckConstraint(condition=~models.Q(study_id=""), name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_surgery_margins_axilla_stay"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        migrations.AddField(model_name="baseline", name="study_id", field=_field()),
        migrations.AddField(model_name="historicalbaseline", name="study_id", field=_field()),
        migrations.AddField(model_name="therapyline", name="study_id", field=_field()),
        migrations.AddField(model_name="historicaltherapyline", name="study_id", field=_field()),
        migrations.AddField(model_name="responseassessment", name="study_id", field=_field()),
        migrations.AddField(
            model_name="historicalresponseassessment", name="study_id", field=_field()
        ),
        migrations.AddField(model_name="surgery", name="study_id", field=_field()),
        migrations.AddField(model_name="historicalsurgery", name="study_id", field=_field()),
        migrations.AddField(model_name="baselinelesion", name="study_id", field=_field("baseline")),
        migrations.AddField(
            model_name="historicalbaselinelesion", name="study_id", field=_field("baseline")
        ),
        copy_study_id("assessments_baseline"),
        copy_study_id("assessments_historicalbaseline"),
        copy_study_id("assessments_therapyline"),
        copy_study_id("assessments_historicaltherapyline"),
        copy_study_id("assessments_responseassessment"),
        copy_study_id("assessments_historicalresponseassessment"),
        copy_study_id("assessments_surgery"),
        copy_study_id("assessments_historicalsurgery"),
        # After the baselines: a lesion copies its baseline's.
        copy_study_id("assessments_baselinelesion", "baseline_id", "assessments_baseline"),
        copy_study_id(
            "assessments_historicalbaselinelesion", "baseline_id", "assessments_baseline"
        ),
        migrations.AddConstraint(
            model_name="baseline", constraint=_not_empty("baseline_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="therapyline", constraint=_not_empty("therapy_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="responseassessment", constraint=_not_empty("assessment_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="surgery", constraint=_not_empty("surgery_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="baselinelesion", constraint=_not_empty("lesion_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="baseline",
            constraint=models.UniqueConstraint(
                fields=("id", "study_id"), name="baseline_id_study_id"
            ),
        ),
        carried_study_id_foreign_key("assessments_baseline"),
        carried_study_id_foreign_key("assessments_therapyline"),
        carried_study_id_foreign_key("assessments_responseassessment"),
        carried_study_id_foreign_key("assessments_surgery"),
        carried_study_id_foreign_key(
            "assessments_baselinelesion", "baseline_id", "assessments_baseline"
        ),
    ]
