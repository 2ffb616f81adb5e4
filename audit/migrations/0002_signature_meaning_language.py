# Each signature stores the language its meaning was read in. Every signature made before this
# migration was signed over an English meaning (the services formatted it in English whatever
# the page's language), so existing rows are backfilled with 'en' by the column's default, and
# the meaning text itself is left exactly as signed.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='electronicsignature',
            name='meaning_language',
            field=models.CharField(default='en', max_length=16, verbose_name='language of the meaning'),
        ),
    ]
