"""Carry the participant's study ID on the data queries (enrollment.fields; the exports read it
without joining the participants): added empty, filled by one UPDATE, then refused empty; on
PostgreSQL a foreign key (participant_id, study_id) -> participant (id, study_id) keeps it
hers."""

from django.db import migrations

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("dataquality", "0002_signature_in_audit"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        *carry_study_id(
            "dataquality", "dataquery", check="dataquery_study_id_carried", history=False
        ),
    ]
