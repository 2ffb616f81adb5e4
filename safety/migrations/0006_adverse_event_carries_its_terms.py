"""Carry the CTCAE terms' columns on the adverse events (`safety.models.AdverseEvent.term_*`:
the exports read the events without joining the terms): added empty, filled by one UPDATE per
table (the history rows too), then required where their term is; on PostgreSQL a foreign key
with the term's key keeps each copy its term's."""

import audit.carried
from django.conf import settings
from django.db import migrations, models

from trialsite.migration_operations import carried_columns_foreign_key, copy_columns


def _copy_terms(table):
    return [
        copy_columns(
            table,
            ("term_code", "term_name", "term_soc"),
            "safety_ctcaeterm",
            ("meddra_code", "term", "soc"),
            key="term_id",
        ),
        copy_columns(
            table,
            ("coded_term_code", "coded_term_name"),
            "safety_ctcaeterm",
            ("meddra_code", "term"),
            key="coded_term_id",
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0008_carried_study_id'),
        ('enrollment', '0005_carried_study_id'),
        ('safety', '0005_carried_study_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='adverseevent',
            name='coded_term_code',
            field=audit.carried.CarriedCharField(attribute='meddra_code', max_length=8, source='coded_term', verbose_name='coded MedDRA code'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='coded_term_name',
            field=audit.carried.CarriedCharField(attribute='term', max_length=200, source='coded_term', verbose_name='coded term'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='term_code',
            field=audit.carried.CarriedCharField(attribute='meddra_code', max_length=8, source='term', verbose_name='MedDRA code'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='term_name',
            field=audit.carried.CarriedCharField(attribute='term', max_length=200, source='term', verbose_name='CTCAE term'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='term_soc',
            field=audit.carried.CarriedCharField(attribute='soc', max_length=120, source='term', verbose_name='system organ class'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='coded_term_code',
            field=audit.carried.CarriedCharField(attribute='meddra_code', max_length=8, source='coded_term', verbose_name='coded MedDRA code'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='coded_term_name',
            field=audit.carried.CarriedCharField(attribute='term', max_length=200, source='coded_term', verbose_name='coded term'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='term_code',
            field=audit.carried.CarriedCharField(attribute='meddra_code', max_length=8, source='term', verbose_name='MedDRA code'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='term_name',
            field=audit.carried.CarriedCharField(attribute='term', max_length=200, source='term', verbose_name='CTCAE term'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='term_soc',
            field=audit.carried.CarriedCharField(attribute='soc', max_length=120, source='term', verbose_name='system organ class'),
        ),
        *_copy_terms("safety_adverseevent"),
        *_copy_terms("safety_historicaladverseevent"),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(('term_code__isnull', False), ('term_name__isnull', False), ('term_soc__isnull', False)), name='adverse_event_carries_its_term'),
        ),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(('coded_term__isnull', True), models.Q(('coded_term_code__isnull', False), ('coded_term_name__isnull', False)), _connector='OR'), name='adverse_event_carries_its_coded_term'),
        ),
        migrations.AddConstraint(
            model_name='ctcaeterm',
            constraint=models.UniqueConstraint(fields=('id', 'meddra_code', 'term', 'soc'), name='ctcae_term_carried'),
        ),
        migrations.AddConstraint(
            model_name='ctcaeterm',
            constraint=models.UniqueConstraint(fields=('id', 'meddra_code', 'term'), name='ctcae_coded_term_carried'),
        ),
        carried_columns_foreign_key(
            "safety_adverseevent",
            ("term_id", "term_code", "term_name", "term_soc"),
            "safety_ctcaeterm",
            ("id", "meddra_code", "term", "soc"),
            name="safety_adverseevent_term_carried_fk",
        ),
        carried_columns_foreign_key(
            "safety_adverseevent",
            ("coded_term_id", "coded_term_code", "coded_term_name"),
            "safety_ctcaeterm",
            ("id", "meddra_code", "term"),
            name="safety_adverseevent_coded_term_carried_fk",
        ),
    ]
