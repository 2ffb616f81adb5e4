"""Carry the participant's study ID on the adverse events, death reports and radiotherapy
(enrollment.fields; the exports read it without joining the participants): added empty, filled
by one UPDATE per table (the history rows too), then refused empty; on PostgreSQL a foreign key
(participant_id, study_id) -> participant (id, study_id) keeps it hers."""

from django.db import migrations

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0004_adverse_event_named"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        *carry_study_id("safety", "adverseevent", check="adverse_event_study_id_carried"),
        *carry_study_id("safety", "deathreport", check="death_report_study_id_carried"),
        *carry_study_id("safety", "radiotherapy", check="radiotherapy_study_id_carried"),
    ]
