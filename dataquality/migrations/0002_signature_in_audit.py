"""The sign-off's signature is `audit.ElectronicSignature` (the same table; state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("dataquality", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="casebooksignoff",
                    name="signature",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="audit.electronicsignature",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
