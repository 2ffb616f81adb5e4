"""Carry the participant's study ID on the off-study records (enrollment.fields; the exports read
it without joining the participants): added empty, filled from the participant by one UPDATE
per table (the history rows too), then refused empty; on PostgreSQL a foreign key
(participant_id, study_id) -> participant (id, study_id) keeps it hers. The participant's
(id, study_id) is declared unique: the key that every app's carried study IDs reference."""

from django.db import migrations, models

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0004_history_user_protected_and_named"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                fields=("id", "study_id"), name="participant_id_study_id"
            ),
        ),
        *carry_study_id("enrollment", "offstudy", check="off_study_study_id_carried"),
    ]
