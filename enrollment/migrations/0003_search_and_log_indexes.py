from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from trialsite.migration_operations import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0002_historicaloffstudy_crf_status_and_more"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(fields=["-screening_date", "-id"], name="screening_log_order"),
        ),
        # The participant and screening search (enrollment.selectors): PostgreSQL only.
        TrigramExtension(),
        trigram_index("enrollment_participant", "study_id", "participant_study_id_trgm"),
        trigram_index("enrollment_screening", "initials", "screening_initials_trgm"),
        trigram_index("enrollment_screening", "hospital_number", "screening_hospital_no_trgm"),
    ]
