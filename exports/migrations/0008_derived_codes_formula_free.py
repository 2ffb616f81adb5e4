"""The derived rows' codes are formula-free in the database (`audit.csv_writer.FormulaFree`):
the export writes those columns as stored instead of testing every cell for a formula."""

from django.db import migrations

import audit.csv_writer

CODES = {
    "participantoutcome": (
        "outcome",
        (
            "study_id",
            "status",
            "histology",
            "her2_ihc",
            "her2_ish",
            "clinical_t",
            "clinical_n",
            "menopausal_status",
            "er_status",
            "pr_status",
            "her2_status",
            "metastatic_sites",
        ),
    ),
    "screeningverdict": (
        "verdict",
        ("metastasis_confirmed_by", "metastatic_sites", "failed", "missing"),
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0007_derived_codes_stored_joined"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name=model,
            constraint=audit.csv_writer.FormulaFree(field=name, name=f"{prefix}_{name}_formula_free"),
        )
        for model, (prefix, names) in CODES.items()
        for name in names
    ]
