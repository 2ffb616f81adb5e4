"""The arm decision's signature is `audit.ElectronicSignature`: the model leaves this app's
state, its table and rows stay (audit 0001)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arms", "0002_history_user_protected_and_named"),
        ("audit", "0001_initial"),
        ("dataquality", "0002_signature_in_audit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalarmassignment",
                    name="signature",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="audit.electronicsignature",
                        verbose_name="signature",
                    ),
                ),
                migrations.AlterField(
                    model_name="armassignment",
                    name="signature",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="arm_assignment",
                        to="audit.electronicsignature",
                        verbose_name="signature",
                    ),
                ),
                migrations.DeleteModel(name="ElectronicSignature"),
            ],
            database_operations=[],
        ),
    ]
