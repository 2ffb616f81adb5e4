from django.db import migrations, models

OPEN_PLANNED = models.Q(("kind", "planned"), ("status", "open"))


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0002_historicalvisit_crf_status_historicalvisit_locked_at_and_more"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="visit", name="visit_open_by_window"),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=OPEN_PLANNED,
                fields=["window_start", "window_end"],
                include=("participant",),
                name="visit_open_window_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=OPEN_PLANNED, fields=["-window_end", "-id"], name="visit_open_by_end"
            ),
        ),
    ]
