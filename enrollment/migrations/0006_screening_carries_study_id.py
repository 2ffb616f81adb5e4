"""Carry the enrolled participant's study ID on her screening (`Screening.study_id`: the
screening log and the export read the screenings without joining the participants): filled by
one UPDATE, allowed only on an enrolled screening, and on PostgreSQL kept the participant's by
a foreign key to her (screening, study_id)."""

from django.conf import settings
from django.db import migrations, models

from trialsite.migration_operations import carried_columns_foreign_key, copy_columns

class Migration(migrations.Migration):

    dependencies = [
        ('access', '0003_merge_roles_and_preference'),
        ('enrollment', '0005_carried_study_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalscreening',
            name='study_id',
            field=models.CharField(blank=True, editable=False, max_length=16, null=True, verbose_name='study ID'),
        ),
        migrations.AddField(
            model_name='screening',
            name='study_id',
            field=models.CharField(blank=True, editable=False, max_length=16, null=True, verbose_name='study ID'),
        ),
        copy_columns(
            "enrollment_screening",
            ("study_id",),
            "enrollment_participant",
            ("study_id",),
            key="id",
            source_key="screening_id",
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.UniqueConstraint(fields=('screening', 'study_id'), name='participant_screening_study_id'),
        ),
        migrations.AddConstraint(
            model_name='screening',
            constraint=models.CheckConstraint(condition=models.Q(('study_id__isnull', True), ('status', 'enrolled'), _connector='OR'), name='screening_study_id_once_enrolled'),
        ),
        carried_columns_foreign_key(
            "enrollment_screening",
            ("id", "study_id"),
            "enrollment_participant",
            ("screening_id", "study_id"),
            name="enrollment_screening_study_id_fk",
        ),
    ]
