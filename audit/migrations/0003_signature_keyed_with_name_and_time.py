"""(id, printed name, time) of a signature, unique: the key of the copies an arm assignment
carries (arms 0006)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_signature_meaning_language'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='electronicsignature',
            constraint=models.UniqueConstraint(fields=('id', 'printed_name', 'signed_at'), name='signature_id_name_time'),
        ),
    ]
