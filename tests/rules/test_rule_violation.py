"""The rules core refuses impossible facts with a structured `RuleViolation` (field, code,
message) that is still the spec's `ValueError` with the text "field: message"."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

import ruleviolation
from arms import rules as arm_rules
from assessments import biomarkers, pathology, recist
from enrollment import eligibility
from followup import endpoints, schedule
from ruleviolation import RuleViolation
from tests.rules.test_eligibility import ELIGIBLE
from tests.rules.test_endpoints import ALIVE_NO_EVENT

DIAGNOSIS = ALIVE_NO_EVENT.diagnosis_date

CASES: list[tuple[str, Callable[[], Any], str, str]] = [
    (
        "birth after screening",
        lambda: eligibility.check_facts(replace(ELIGIBLE, birth_date=date(2030, 1, 1))),
        "birth_date",
        ruleviolation.AFTER_SCREENING,
    ),
    (
        "unknown sex",
        lambda: eligibility.check_facts(replace(ELIGIBLE, sex="x")),
        "sex",
        ruleviolation.UNKNOWN_CODE,
    ),
    (
        "ECOG 7",
        lambda: eligibility.check_facts(replace(ELIGIBLE, ecog=7)),
        "ecog",
        ruleviolation.OUT_OF_RANGE,
    ),
    (
        "negative neutrophils",
        lambda: eligibility.check_facts(replace(ELIGIBLE, anc=-1.0)),
        "anc",
        ruleviolation.OUT_OF_RANGE,
    ),
    (
        "unknown site",
        lambda: eligibility.check_facts(replace(ELIGIBLE, metastatic_sites=frozenset({"moon"}))),
        "metastatic_sites",
        ruleviolation.UNKNOWN_CODE,
    ),
    (
        "systemic therapy before diagnosis",
        lambda: eligibility.check_facts(replace(ELIGIBLE, systemic_therapy_start=date(2000, 1, 1))),
        "systemic_therapy_start",
        ruleviolation.BEFORE_DIAGNOSIS,
    ),
    (
        "visit before diagnosis",
        lambda: endpoints.check_outcome_facts(
            replace(ALIVE_NO_EVENT, last_disease_assessment=date(2000, 1, 1))
        ),
        "last_disease_assessment",
        ruleviolation.BEFORE_DIAGNOSIS,
    ),
    (
        "death before progression",
        lambda: endpoints.check_outcome_facts(
            replace(
                ALIVE_NO_EVENT,
                last_known_alive=date(2024, 3, 1),
                death_date=date(2024, 3, 1),
                distant_progression_date=date(2024, 4, 1),
            )
        ),
        "death_date",
        ruleviolation.BEFORE_EVENT,
    ),
    (
        "alive after death",
        lambda: endpoints.check_outcome_facts(replace(ALIVE_NO_EVENT, death_date=date(2024, 3, 1))),
        "last_known_alive",
        ruleviolation.AFTER_DEATH,
    ),
    (
        "enrolment before diagnosis",
        lambda: schedule.visit_schedule(DIAGNOSIS, date(2000, 1, 1)),
        "enrolment_date",
        ruleviolation.BEFORE_DIAGNOSIS,
    ),
    (
        "negative lesion",
        lambda: recist.target_response([recist.TargetLesion(False, -1.0, 5.0)]),
        "lesions[0].baseline_mm",
        ruleviolation.OUT_OF_RANGE,
    ),
    (
        "unknown non-target status",
        lambda: recist.non_target_response(["gone"]),
        "statuses[0]",
        ruleviolation.UNKNOWN_CODE,
    ),
    (
        "nothing to assess",
        lambda: recist.overall_response(None, None, new_lesions=False),
        "target",
        ruleviolation.NOTHING_TO_ASSESS,
    ),
    (
        "unknown arm response",
        lambda: arm_rules.assign_arm("XX", recist.CR),
        "primary_response",
        ruleviolation.UNKNOWN_CODE,
    ),
    (
        "unknown HER2 score",
        lambda: biomarkers.her2_category("4+", None),
        "ihc",
        ruleviolation.UNKNOWN_CODE,
    ),
    (
        "unknown ypT",
        lambda: pathology.is_pcr("ypT9", "ypN0"),
        "ypt",
        ruleviolation.UNKNOWN_CODE,
    ),
]


@pytest.mark.parametrize(
    ("refuse", "field", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_core_names_the_field_and_the_rule_it_refuses(
    refuse: Callable[[], Any], field: str, code: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        refuse()
    assert (caught.value.field, caught.value.code) == (field, code)
    # Still the spec's ValueError, with its "field: message" text.
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == f"{field}: {caught.value.message}"


def test_a_violation_survives_pickling() -> None:
    exc = RuleViolation("ecog", ruleviolation.OUT_OF_RANGE, "must be 0 to 5, got 7")
    again = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own object
    assert (again.field, again.code, again.message) == (exc.field, exc.code, exc.message)


def test_it_refuses_a_code_outside_the_vocabulary() -> None:
    with pytest.raises(TypeError):
        RuleViolation("ecog", "bad", "message")


def test_the_violation_module_is_standard_library_only(
    assert_standard_library_only: Callable[..., None],
) -> None:
    assert_standard_library_only("ruleviolation")
