"""Planned visits apart from visit forms, step 1 of 3: the slot table, beside the old one.

Step 2 (0005) moves the rows, step 3 (0006) drops what moved. Three migrations, so that each
runs in its own transaction: PostgreSQL refuses to alter a table with rows changed earlier in
the same transaction (pending trigger events). The slot's window indexes come in step 3,
after the rows, which is faster than maintaining them row by row.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0003_search_and_log_indexes'),
        ('followup', '0003_worklist_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nullable while its rows move to `planned_visit` (0005); 0006 drops it.
        migrations.AlterField(
            model_name='reminder',
            name='visit',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='followup.visit'),
        ),
        migrations.CreateModel(
            name='HistoricalPlannedVisit',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('code', models.CharField(max_length=8, verbose_name='visit')),
                ('target', models.DateField(verbose_name='target date')),
                ('window_start', models.DateField(verbose_name='window opens')),
                ('window_end', models.DateField(verbose_name='window closes')),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('missed', 'Missed'), ('not_required', 'Not required')], default='open', max_length=12, verbose_name='status')),
                ('status_reason', models.TextField(blank=True, verbose_name='reason for status')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enrollment.participant')),
            ],
            options={
                'verbose_name': 'historical planned visit',
                'verbose_name_plural': 'historical planned visits',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PlannedVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('code', models.CharField(max_length=8, verbose_name='visit')),
                ('target', models.DateField(verbose_name='target date')),
                ('window_start', models.DateField(verbose_name='window opens')),
                ('window_end', models.DateField(verbose_name='window closes')),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('missed', 'Missed'), ('not_required', 'Not required')], default='open', max_length=12, verbose_name='status')),
                ('status_reason', models.TextField(blank=True, verbose_name='reason for status')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='planned_visits', to='enrollment.participant')),
            ],
            options={
                'verbose_name': 'planned visit',
                'verbose_name_plural': 'planned visits',
                'ordering': ['participant', 'window_start', 'id'],
            },
        ),
        migrations.AddField(
            model_name='historicalvisit',
            name='planned_visit',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='followup.plannedvisit', verbose_name='planned visit'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='planned_visit',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='followup.plannedvisit'),
        ),
        migrations.AddField(
            model_name='visit',
            name='planned_visit',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visit', to='followup.plannedvisit', verbose_name='planned visit'),
        ),
        migrations.AddConstraint(
            model_name='plannedvisit',
            constraint=models.UniqueConstraint(fields=('participant', 'code'), name='planned_visit_once_per_code'),
        ),
        migrations.AddConstraint(
            model_name='plannedvisit',
            constraint=models.CheckConstraint(condition=models.Q(('window_end__gte', models.F('target')), ('window_start__lte', models.F('target')), models.Q(('code', ''), _negated=True)), name='planned_visit_has_window'),
        ),
    ]
