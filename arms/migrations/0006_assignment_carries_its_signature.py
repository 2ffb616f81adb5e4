"""Carry on each arm assignment its signature's manifestation (printed name, time, meaning;
audit.carried), so that the export reads the assignments alone: added empty, filled from the
signature by one UPDATE per table (the history rows too), required exactly when there is a
signature; on PostgreSQL the key (signature_id, signed_by, signed_at) -> signature (id,
printed_name, signed_at), declared unique for it, keeps them the signature's."""

from django.db import migrations, models

from trialsite.migration_operations import carried_columns_foreign_key, copy_columns

ASSIGNMENTS = ("arms_armassignment", "arms_historicalarmassignment")

# The copies as `audit.carried.copy_of` declares them (the signature's fields, empty allowed).
COPIES = {
    "signed_by": lambda: models.CharField(
        blank=True,
        editable=False,
        max_length=300,
        null=True,
        verbose_name="printed name of the signer",
    ),
    "signed_at": lambda: models.DateTimeField(
        blank=True, editable=False, null=True, verbose_name="signed at (UTC)"
    ),
    "signature_meaning": lambda: models.TextField(
        blank=True, editable=False, null=True, verbose_name="meaning of the signature"
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_merge_roles_and_preference"),
        ("arms", "0005_carried_study_id"),
        ("assessments", "0009_measurement_carries_its_lesion_and_date"),
        ("audit", "0003_signature_keyed_with_name_and_time"),
        ("enrollment", "0006_screening_carries_study_id"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field())
            for model in ("armassignment", "historicalarmassignment")
            for name, field in COPIES.items()
        ),
        *(
            copy_columns(
                table,
                ("signed_by", "signed_at", "signature_meaning"),
                "arms_electronicsignature",
                ("printed_name", "signed_at", "meaning"),
                key="signature_id",
            )
            for table in ASSIGNMENTS
        ),
        migrations.AddConstraint(
            model_name="armassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("signature__isnull", True),
                        ("signature_meaning__isnull", True),
                        ("signed_at__isnull", True),
                        ("signed_by__isnull", True),
                    ),
                    models.Q(
                        ("signature__isnull", False),
                        ("signature_meaning__isnull", False),
                        ("signed_at__isnull", False),
                        ("signed_by__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="arm_signature_carried",
            ),
        ),
        carried_columns_foreign_key(
            ASSIGNMENTS[0],
            ("signature_id", "signed_by", "signed_at"),
            "arms_electronicsignature",
            ("id", "printed_name", "signed_at"),
            name="arms_armassignment_signature_carried_fk",
        ),
    ]
