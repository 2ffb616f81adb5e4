"""Carry on each surgical complication its operation's date (`safety.models.AdverseEvent.
surgery_date`: the export of the events reads their table alone): added empty, filled by one
UPDATE per table (the history rows too), then required exactly where there is an operation;
on PostgreSQL the foreign key (surgery_id, surgery_date) -> surgery (id, surgery_date) keeps
each copy its operation's."""

from django.db import migrations, models

import audit.carried
from trialsite.migration_operations import carried_columns_foreign_key, copy_columns

EVENTS = ("safety_adverseevent", "safety_historicaladverseevent")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_surgery_id_date"),
        ("safety", "0006_adverse_event_carries_its_terms"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model,
                name="surgery_date",
                field=audit.carried.CarriedDateField(
                    attribute="surgery_date", source="surgery", verbose_name="date of the operation"
                ),
            )
            for model in ("adverseevent", "historicaladverseevent")
        ),
        *(
            copy_columns(
                table, ("surgery_date",), "assessments_surgery", ("surgery_date",), key="surgery_id"
            )
            for table in EVENTS
        ),
        migrations.AddConstraint(
            model_name="adverseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(surgery__isnull=True, surgery_date__isnull=True)
                | models.Q(surgery__isnull=False, surgery_date__isnull=False),
                name="adverse_event_carries_its_operation_date",
            ),
        ),
        carried_columns_foreign_key(
            EVENTS[0],
            ("surgery_id", "surgery_date"),
            "assessments_surgery",
            ("id", "surgery_date"),
            name="safety_adverseevent_surgery_carried_fk",
        ),
    ]
