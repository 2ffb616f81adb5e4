"""Carry the participant's study ID on the planned visits and the visit forms (enrollment.fields;
the exports read it without joining the participants): added empty, filled by one UPDATE per
table (the history rows too), then refused empty; on PostgreSQL a foreign key (participant_id,
study_id) -> participant (id, study_id) keeps it hers."""

from django.db import migrations

from trialsite.migration_operations import carry_study_id


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0009_merge_planned_visit_site_and_death_reports"),
        ("enrollment", "0005_carried_study_id"),
    ]

    operations = [
        *carry_study_id("followup", "plannedvisit", check="planned_visit_study_id_carried"),
        *carry_study_id("followup", "visit", check="visit_study_id_carried"),
    ]
