"""The derived rows' codes are formula-free in the database (`audit.csv_writer.FormulaFree`):
the export writes those columns as stored instead of testing every cell for a formula. The
rule is written out here as it stands (a value that does not start with a formula's character,
or a plain number), so that a later change of it is a change of these constraints."""

from django.db import migrations, models

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


FORMULA_START = "^[=+@\t\r-]"
PLAIN_NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def _formula_free(field: str, name: str) -> audit.csv_writer.FormulaFree:
    return audit.csv_writer.FormulaFree(
        field=field,
        name=name,
        condition=~models.Q(**{f"{field}__regex": FORMULA_START})
        | models.Q(**{f"{field}__regex": PLAIN_NUMBER}),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0007_derived_codes_stored_joined"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name=model,
            constraint=_formula_free(name, f"{prefix}_{name}_formula_free"),
        )
        for model, (prefix, names) in CODES.items()
        for name in names
    ]
