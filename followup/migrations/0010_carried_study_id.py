"""Carry the participant's study ID on the planned visits and the visit forms (enrollment.fields;
the exports read it without joining the participants): added empty, filled by one UPDATE per
table (the history rows too), then refused empty; on PostgreSQL a foreign key (participant_id,
study_id) -> participant (id, study_id) keeps it hers."""

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
        ("followup", "0009_merge_planned_visit_site_and_death_reports"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        migrations.AddField(model_name="plannedvisit", name="study_id", field=_field()),
        migrations.AddField(model_name="historicalplannedvisit", name="study_id", field=_field()),
        migrations.AddField(model_name="visit", name="study_id", field=_field()),
        migrations.AddField(model_name="historicalvisit", name="study_id", field=_field()),
        copy_study_id("followup_plannedvisit"),
        copy_study_id("followup_historicalplannedvisit"),
        copy_study_id("followup_visit"),
        copy_study_id("followup_historicalvisit"),
        migrations.AddConstraint(
            model_name="plannedvisit", constraint=_not_empty("planned_visit_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="visit", constraint=_not_empty("visit_study_id_carried")
        ),
        carried_study_id_foreign_key("followup_plannedvisit"),
        carried_study_id_foreign_key("followup_visit"),
    ]
