"""Carry the participant's study ID on the arm assignments (enrollment.fields; the exports read it
without joining the participants): added empty, filled by one UPDATE per table (the history
rows too), then refused empty; on PostgreSQL a foreign key (participant_id, study_id) ->
participant (id, study_id) keeps it hers."""

from django.db import migrations

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("arms", "0004_assignment_site"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        *carry_study_id("arms", "armassignment", check="arm_study_id_carried"),
    ]
