"""The derived rows' codes are kept formula-free by the database (`audit.csv_writer.
FormulaFree`), so the export writes them as stored; every other text is still guarded."""

import re

import pytest
from django.db import IntegrityError, transaction

from assessments.models import Baseline
from audit.csv_writer import FORMULA_PREFIXES, FORMULA_START
from exports import derived, streaming
from exports.datasets import BY_NAME, CODES, TEXT
from exports.models import ParticipantOutcome, ScreeningVerdict
from exports.sql import SpreadsheetSafe
from tests.factories.arms import participant_with_baseline
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_the_pattern_is_the_first_character_of_a_formula(prefix):
    assert re.match(FORMULA_START, f"{prefix}1+2")
    assert not re.match(FORMULA_START, f"A{prefix}")


@pytest.mark.parametrize("value", ["=1+2", "@cmd", "-2+3", "+SUM(A1)", "\t=1", "\r=1"])
@pytest.mark.parametrize("field", ["histology", "er_status", "metastatic_sites", "study_id"])
def test_the_database_refuses_an_outcome_code_that_starts_as_a_formula(
    site_a, coordinator_a, field, value
):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantOutcome.objects.filter(pk=participant.pk).update(**{field: value})


@pytest.mark.parametrize("field", ["failed", "missing", "metastatic_sites"])
def test_the_database_refuses_a_verdict_code_that_starts_as_a_formula(site_a, coordinator_a, field):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        derived.refresh_eligibility(screening_ids=[participant.screening_id])
        assert ScreeningVerdict.objects.filter(pk=participant.screening_id).update(
            **{field: "=1+2"}
        )


def test_codes_plain_numbers_and_empty_values_are_kept(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    kept = {"er_status": "low_positive", "metastatic_sites": "liver;bone", "her2_ish": ""}
    assert ParticipantOutcome.objects.filter(pk=participant.pk).update(**kept, clinical_t="-1")
    stored = ParticipantOutcome.objects.values(*kept, "clinical_t").get(pk=participant.pk)
    assert stored == {**kept, "clinical_t": "-1"}


def test_a_source_value_that_is_not_a_code_is_stored_escaped_not_refused(site_a, coordinator_a):
    """Forms keep a coded field to its codes, the database does not: a value written behind
    their back reaches the analysis row as the export would have written it, and the use case
    that refreshes the row does not fail."""
    participant = participant_with_baseline(site_a, coordinator_a)
    Baseline.objects.filter(participant=participant).update(histology="=HYPERLINK(1)")
    derived.refresh_outcomes(participant_ids=[participant.pk])
    assert ParticipantOutcome.objects.get(pk=participant.pk).histology == "'=HYPERLINK(1)"


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
