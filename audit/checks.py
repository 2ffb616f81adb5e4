"""System checks: every date of a clinical record is declared personal data.

A date left undeclared would leave a de-identified export, the audit CSV and the admin as a
calendar date, so `manage.py check` (and every test run) refuses it.
"""

from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

from .models import ClinicalRecord
from .personal_data import personal_kind

UNDECLARED_DATE = "audit.E001"


@checks.register()
def dates_are_declared(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not issubclass(model, ClinicalRecord):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and personal_kind(field) is None:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a date but is not declared with "
                        "audit.personal_data.personal(..., CALENDAR_DATE or IDENTIFIER).",
                        obj=field,
                        id=UNDECLARED_DATE,
                    )
                )
    return errors
