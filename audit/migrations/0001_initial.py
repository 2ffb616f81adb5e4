"""The electronic signature moves from the arms app to audit, beside the audit trail: one
signature for the arm decision and the casebook sign-off. Its table keeps its name and rows;
only Django's state moves (arms 0003 and dataquality 0002 repoint their keys)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The table was made there.
        ("arms", "0002_history_user_protected_and_named"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ElectronicSignature",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "printed_name",
                            models.CharField(
                                max_length=300, verbose_name="printed name of the signer"
                            ),
                        ),
                        (
                            "signed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="signed at (UTC)"
                            ),
                        ),
                        ("meaning", models.TextField(verbose_name="meaning of the signature")),
                        (
                            "record_type",
                            models.CharField(max_length=100, verbose_name="signed record type"),
                        ),
                        (
                            "record_id",
                            models.PositiveBigIntegerField(verbose_name="signed record ID"),
                        ),
                        (
                            "record_version",
                            models.PositiveIntegerField(
                                verbose_name="version of the signed record"
                            ),
                        ),
                        (
                            "signer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="electronic_signatures",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="signer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "electronic signature",
                        "verbose_name_plural": "electronic signatures",
                        "db_table": "arms_electronicsignature",
                        "ordering": ["signed_at", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["record_type", "record_id"], name="signature_record"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("printed_name", ""), _negated=True),
                                    models.Q(("meaning", ""), _negated=True),
                                ),
                                name="signature_has_name_and_meaning",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
