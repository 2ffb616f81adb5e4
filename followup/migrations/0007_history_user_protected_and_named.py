"""History rows: the user PROTECT (never erased by deleting the account) and named at write
time (audit.models.AuditedHistoricalRecord); existing rows named from their user."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Trim

HISTORICAL = ("historicalvisit", "historicalplannedvisit")


def name_the_users(apps, schema_editor):
    """Every existing row keeps its user's name as the account reads now (later renames no
    longer reach it); rows whose user was already erased stay unnamed."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    users = user_model.objects.filter(pk=OuterRef("history_user_id"))
    full_name = Trim(Concat("first_name", Value(" "), "last_name"))
    for name in HISTORICAL:
        apps.get_model("followup", name).objects.filter(history_user__isnull=False).update(
            history_user_name=Subquery(users.values("username")[:1]),
            history_user_full_name=Subquery(users.annotate(full=full_name).values("full")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0006_visit_forms_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalvisit",
            name="history_user_full_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="changed by (name)"),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="history_user_name",
            field=models.CharField(
                blank=True, max_length=150, verbose_name="changed by (user name)"
            ),
        ),
        migrations.AlterField(
            model_name="historicalvisit",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalplannedvisit",
            name="history_user_full_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="changed by (name)"),
        ),
        migrations.AddField(
            model_name="historicalplannedvisit",
            name="history_user_name",
            field=models.CharField(
                blank=True, max_length=150, verbose_name="changed by (user name)"
            ),
        ),
        migrations.AlterField(
            model_name="historicalplannedvisit",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(name_the_users, migrations.RunPython.noop),
    ]
