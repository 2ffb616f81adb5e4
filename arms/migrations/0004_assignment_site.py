"""Carry the participant's site on the arm assignments (the review queue counts a site's pending proposals from one index): added empty, filled from
the participant (its history rows too), then required; the index arm_pending_site_queue replaces
arm_pending_queue."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in ("arms_armassignment", "arms_historicalarmassignment"):
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} AS row SET site_id = p.site_id "
                    "FROM enrollment_participant AS p "
                    "WHERE p.id = row.participant_id AND row.site_id IS NULL"
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET site_id = (SELECT p.site_id FROM "
                    f"enrollment_participant AS p WHERE p.id = {table}.participant_id) "
                    "WHERE site_id IS NULL"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("enrollment", "0004_history_user_protected_and_named"),
        ("arms", "0003_signature_in_audit"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="armassignment", name="arm_pending_queue"),
        migrations.AddField(
            model_name="armassignment",
            name="site",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="access.site",
                verbose_name="site",
            ),
        ),
        migrations.AddField(
            model_name="historicalarmassignment",
            name="site",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="access.site",
                verbose_name="site",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="armassignment",
            name="site",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="access.site",
                verbose_name="site",
            ),
        ),
        migrations.AddIndex(
            model_name="armassignment",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["site", "created_at", "id"],
                name="arm_pending_site_queue",
            ),
        ),
    ]
