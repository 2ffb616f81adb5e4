"""System check: each export column's format agrees with its field's personal-data declaration.

A date column whose field is not declared a calendar date would leave a de-identified file as a
calendar date; a calendar date written as text would be shifted into a number the dictionary
does not describe. `manage.py check` (and every test run) refuses both.
"""

from typing import Any

from django.core import checks

from audit.personal_data import CALENDAR_DATE, WITHHELD

from .datasets import DATASETS, DATE_KINDS, model_or_none

DATE_NOT_DECLARED = "exports.E001"


@checks.register()
def dates_agree_with_the_declaration(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for dataset in DATASETS:
        if model_or_none(dataset.model) is None:
            continue
        for column in dataset.columns:
            if dataset.personal_kind(column) in WITHHELD:
                continue  # never in a de-identified file (a date of birth)
            is_date = column.kind in DATE_KINDS
            declared = dataset.personal_kind(column) == CALENDAR_DATE
            if is_date != declared:
                errors.append(
                    checks.Error(
                        f"{dataset.name}.{column.name}: a {column.kind} column whose field is "
                        f"{'not ' if not declared else ''}declared a calendar date.",
                        hint="Declare the field with audit.personal_data.personal(), or give "
                        "a derived column the field it is made from (source=).",
                        id=DATE_NOT_DECLARED,
                    )
                )
    return errors
