"""Carry the participant's study ID on the off-study records (enrollment.fields; the exports read
it without joining the participants): added empty, filled from the participant by one UPDATE
per table (the history rows too), then refused empty; on PostgreSQL a foreign key
(participant_id, study_id) -> participant (id, study_id) keeps it hers. The participant's
(id, study_id) is declared unique: the key that every app's carried study IDs reference."""

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
        ("enrollment", "0004_history_user_protected_and_named"),
    ]

    operations = [
        migrations.AddField(model_name="offstudy", name="study_id", field=_field()),
        migrations.AddField(model_name="historicaloffstudy", name="study_id", field=_field()),
        copy_study_id("enrollment_offstudy"),
        copy_study_id("enrollment_historicaloffstudy"),
        migrations.AddConstraint(
            model_name="offstudy", constraint=_not_empty("off_study_study_id_carried")
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                fields=("id", "study_id"), name="participant_id_study_id"
            ),
        ),
        carried_study_id_foreign_key("enrollment_offstudy"),
    ]
