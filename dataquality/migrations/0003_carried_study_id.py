"""Carry the participant's study ID on the data queries (enrollment.fields; the exports read it
without joining the participants): added empty, filled by one UPDATE, then refused empty; on
PostgreSQL a foreign key (participant_id, study_id) -> participant (id, study_id) keeps it
hers."""

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
        ("dataquality", "0002_signature_in_audit"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        migrations.AddField(model_name="dataquery", name="study_id", field=_field()),
        copy_study_id("dataquality_dataquery"),
        migrations.AddConstraint(
            model_name="dataquery", constraint=_not_empty("dataquery_study_id_carried")
        ),
        carried_study_id_foreign_key("dataquality_dataquery"),
    ]
