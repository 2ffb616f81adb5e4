"""Carry the participant's study ID on the adverse events, death reports and radiotherapy
(enrollment.fields; the exports read it without joining the participants): added empty, filled
by one UPDATE per table (the history rows too), then refused empty; on PostgreSQL a foreign key
(participant_id, study_id) -> participant (id, study_id) keeps it hers."""

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
        ("safety", "0004_adverse_event_named"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        migrations.AddField(model_name="adverseevent", name="study_id", field=_field()),
        migrations.AddField(model_name="historicaladverseevent", name="study_id", field=_field()),
        migrations.AddField(model_name="deathreport", name="study_id", field=_field()),
        migrations.AddField(model_name="historicaldeathreport", name="study_id", field=_field()),
        migrations.AddField(model_name="radiotherapy", name="study_id", field=_field()),
        migrations.AddField(model_name="historicalradiotherapy", name="study_id", field=_field()),
        copy_study_id("safety_adverseevent"),
        copy_study_id("safety_historicaladverseevent"),
        copy_study_id("safety_deathreport"),
        copy_study_id("safety_historicaldeathreport"),
        copy_study_id("safety_radiotherapy"),
        copy_study_id("safety_historicalradiotherapy"),
        migrations.AddConstraint(
            model_name="adverseevent", constraint=_not_empty("adverse_event_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="deathreport", constraint=_not_empty("death_report_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="radiotherapy", constraint=_not_empty("radiotherapy_study_id_carried")
        ),
        carried_study_id_foreign_key("safety_adverseevent"),
        carried_study_id_foreign_key("safety_deathreport"),
        carried_study_id_foreign_key("safety_radiotherapy"),
    ]
