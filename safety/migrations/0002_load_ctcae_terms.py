"""Load the CTCAE v5.0 term list (safety/data/ctcae_v5.csv); idempotent, see safety.terms."""

from django.db import migrations

from safety.terms import load_terms


def load(apps, schema_editor):
    load_terms(apps.get_model("safety", "CtcaeTerm"))


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
