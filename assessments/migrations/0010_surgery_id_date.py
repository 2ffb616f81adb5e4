"""A unique key on a surgery's (id, surgery_date): the key that the date its complications
carry references (safety 0007)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_measurement_carries_its_lesion_and_date"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="surgery",
            constraint=models.UniqueConstraint(
                fields=("id", "surgery_date"), name="surgery_id_date"
            ),
        ),
    ]
