"""The derived rows' codes are kept formula-free by the database (`audit.csv_writer.
FormulaFree`), so the export writes them as stored; every other text is still guarded."""

import re

import pytest
from django.db import IntegrityError, transaction

from audit.csv_writer import FORMULA_PREFIXES, FORMULA_START
from exports import streaming
from exports.datasets import BY_NAME, CODES, TEXT
from exports.models import ParticipantOutcome
from exports.sql import SpreadsheetSafe
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_the_pattern_is_the_first_character_of_a_formula(prefix):
    assert re.match(FORMULA_START, f"{prefix}1+2")
    assert not re.match(FORMULA_START, f"A{prefix}")


@pytest.mark.parametrize("value", ["=1+2", "@cmd", "-2+3", "+SUM(A1)", "\t=1"])
@pytest.mark.parametrize("field", ["histology", "er_status", "metastatic_sites", "study_id"])
def test_the_database_refuses_an_outcome_code_that_starts_as_a_formula(
    site_a, coordinator_a, field, value
):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantOutcome.objects.filter(pk=participant.pk).update(**{field: value})


def test_codes_and_empty_values_are_kept(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    ParticipantOutcome.objects.filter(pk=participant.pk).update(
        er_status="low_positive", metastatic_sites="liver;bone", her2_ish=""
    )


def _guarded(dataset_name: str) -> set[str]:
    dataset = BY_NAME[dataset_name]
    scope = streaming.Scope()
    return {
        column.name
        for column in dataset.columns
        if column.kind in (TEXT, CODES)
        and SpreadsheetSafe in _types(streaming.expression(column, dataset, scope))
    }


def _types(expression) -> set[type]:
    found = {type(expression)}
    for source in getattr(expression, "get_source_expressions", list)():
        found |= _types(source)
    return found


def test_the_analysis_export_guards_only_what_the_database_does_not_keep_formula_free():
    # The site's code is checked by its own constraint (upper-case letters), which the export
    # does not read.
    assert _guarded("analysis") == {"site"}


def test_the_screening_export_guards_what_a_coordinator_types_and_not_its_verdicts_codes():
    assert _guarded("screening") == {
        "study_id",
        "site",
        "status",
        "initials",
        "hospital_number",
        "sex",
    }
