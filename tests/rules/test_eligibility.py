"""Eligibility (spec section 1): every criterion, its limits, missing and partly missing facts."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment import eligibility
from enrollment.eligibility import (
    CRITERIA,
    CRITERION_LABELS,
    EXCLUSION_CRITERIA,
    INCLUSION_CRITERIA,
    METASTATIC_SITES,
    NON_VISCERAL_SITES,
    SITE_LABELS,
    STATUS_FAILED,
    STATUS_MET,
    STATUS_MISSING,
    VISCERAL_SITES,
    Eligibility,
    ScreeningFacts,
    completed_years,
    evaluate,
    judge,
)
from followup import schedule

SCREENING = date(2024, 6, 15)
DIAGNOSIS = date(2024, 3, 1)

# A patient who meets every criterion; each case below changes what it tests and nothing else.
ELIGIBLE = ScreeningFacts(
    birth_date=date(1970, 3, 10),
    screening_date=SCREENING,
    sex="female",
    invasive_carcinoma_confirmed=True,
    stage_iv_at_diagnosis=True,
    metastasis_confirmed_by="pathology",
    operable=True,
    ecog=1,
    anc=3.2,
    platelets=250.0,
    hemoglobin=12.1,
    bilirubin_uln=0.6,
    ast_uln=0.9,
    alt_uln=1.1,
    creatinine_uln=0.8,
    prior_locoregional_surgery=False,
    diagnosis_date=DIAGNOSIS,
    systemic_therapy_start=date(2024, 3, 20),
    other_primary_malignancy=False,
    metastatic_sites=frozenset({"bone", "lung"}),
    liver_metastasis_count=0,
    followup_feasible=True,
)
LIVER_METS = frozenset({"liver", "bone"})


def facts(**changes: Any) -> ScreeningFacts:
    return replace(ELIGIBLE, **changes)


def test_the_reference_patient_is_eligible() -> None:
    assert evaluate(ELIGIBLE) == Eligibility(eligible=True, failed=(), missing=())


def test_criteria_are_the_spec_table_in_order() -> None:
    assert CRITERIA == (
        "age_18_75",
        "female",
        "invasive_primary_confirmed",
        "de_novo_stage_iv",
        "metastasis_confirmed",
        "operable",
        "ecog_0_2",
        "organ_function",
        "no_prior_locoregional_surgery",
        "systemic_within_1y",
        "other_primary_malignancy",
        "visceral_organs_over_2",
        "followup_not_feasible",
        "multiple_liver_mets_lft_over_4uln",
    )
    assert CRITERIA == INCLUSION_CRITERIA + EXCLUSION_CRITERIA
    assert len(INCLUSION_CRITERIA) == 10
    assert list(CRITERION_LABELS) == list(CRITERIA)
    assert all(isinstance(label, str) and label for label in CRITERION_LABELS.values())


def test_site_codes_are_the_spec_codes() -> None:
    assert (
        frozenset({"liver", "lung", "pleura", "brain", "peritoneum", "adrenal", "other_visceral"})
        == VISCERAL_SITES
    )
    assert frozenset({"bone", "distant_lymph_node", "skin_soft_tissue"}) == NON_VISCERAL_SITES
    assert VISCERAL_SITES.isdisjoint(NON_VISCERAL_SITES)
    assert METASTATIC_SITES == VISCERAL_SITES | NON_VISCERAL_SITES
    assert set(SITE_LABELS) == METASTATIC_SITES


def test_the_dataclasses_have_the_spec_fields_in_order() -> None:
    assert [f.name for f in fields(ScreeningFacts)] == [
        "birth_date",
        "screening_date",
        "sex",
        "invasive_carcinoma_confirmed",
        "stage_iv_at_diagnosis",
        "metastasis_confirmed_by",
        "operable",
        "ecog",
        "anc",
        "platelets",
        "hemoglobin",
        "bilirubin_uln",
        "ast_uln",
        "alt_uln",
        "creatinine_uln",
        "prior_locoregional_surgery",
        "diagnosis_date",
        "systemic_therapy_start",
        "other_primary_malignancy",
        "metastatic_sites",
        "liver_metastasis_count",
        "followup_feasible",
    ]
    assert [f.name for f in fields(Eligibility)] == ["eligible", "failed", "missing"]
    with pytest.raises(AttributeError):
        ELIGIBLE.sex = "male"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        pytest.param(date(2000, 6, 15), date(2018, 6, 15), 18, id="on-the-18th-birthday"),
        pytest.param(date(2000, 6, 15), date(2018, 6, 14), 17, id="day-before-18th-birthday"),
        pytest.param(date(2000, 6, 15), date(2000, 6, 15), 0, id="day-of-birth"),
        pytest.param(date(2000, 12, 31), date(2001, 1, 1), 0, id="new-year-after-birth"),
        pytest.param(date(2004, 2, 29), date(2022, 2, 28), 17, id="leapling-28-feb-common-year"),
        pytest.param(date(2004, 2, 29), date(2022, 3, 1), 18, id="leapling-1-mar-common-year"),
        pytest.param(date(2004, 2, 29), date(2024, 2, 28), 19, id="leapling-28-feb-leap-year"),
        pytest.param(date(2004, 2, 29), date(2024, 2, 29), 20, id="leapling-29-feb-leap-year"),
    ],
)
def test_completed_years(birth: date, on: date, years: int) -> None:
    assert completed_years(birth, on) == years


# (changes to the eligible patient, failed, missing)
CASES: list[Any] = [
    # age_18_75: completed years at the screening date, 18 to 75 both included
    pytest.param({"birth_date": date(2006, 6, 15)}, (), (), id="age-18-on-birthday"),
    pytest.param({"birth_date": date(2006, 6, 16)}, ("age_18_75",), (), id="age-17-day-before"),
    pytest.param({"birth_date": date(1949, 6, 15)}, (), (), id="age-75-on-birthday"),
    pytest.param({"birth_date": date(1948, 6, 16)}, (), (), id="age-75-day-before-76"),
    pytest.param({"birth_date": date(1948, 6, 15)}, ("age_18_75",), (), id="age-76-on-birthday"),
    pytest.param(
        {"birth_date": date(2008, 2, 29), "screening_date": date(2026, 2, 28)},
        ("age_18_75",),
        (),
        id="age-leapling-17-on-28-feb",
    ),
    pytest.param(
        {"birth_date": date(2008, 2, 29), "screening_date": date(2026, 3, 1)},
        (),
        (),
        id="age-leapling-18-on-1-mar",
    ),
    pytest.param({"birth_date": None}, (), ("age_18_75",), id="age-birth-date-missing"),
    # female
    pytest.param({"sex": "male"}, ("female",), (), id="sex-male"),
    pytest.param({"sex": None}, (), ("female",), id="sex-missing"),
    # invasive_primary_confirmed
    pytest.param(
        {"invasive_carcinoma_confirmed": False},
        ("invasive_primary_confirmed",),
        (),
        id="invasive-not-confirmed",
    ),
    pytest.param(
        {"invasive_carcinoma_confirmed": None},
        (),
        ("invasive_primary_confirmed",),
        id="invasive-missing",
    ),
    # de_novo_stage_iv
    pytest.param({"stage_iv_at_diagnosis": False}, ("de_novo_stage_iv",), (), id="not-de-novo"),
    pytest.param({"stage_iv_at_diagnosis": None}, (), ("de_novo_stage_iv",), id="de-novo-missing"),
    # metastasis_confirmed
    pytest.param({"metastasis_confirmed_by": "imaging"}, (), (), id="metastasis-by-imaging"),
    pytest.param(
        {"metastasis_confirmed_by": "unconfirmed"},
        ("metastasis_confirmed",),
        (),
        id="metastasis-unconfirmed",
    ),
    pytest.param(
        {"metastasis_confirmed_by": None},
        (),
        ("metastasis_confirmed",),
        id="metastasis-confirmation-missing",
    ),
    # operable
    pytest.param({"operable": False}, ("operable",), (), id="inoperable"),
    pytest.param({"operable": None}, (), ("operable",), id="operable-missing"),
    # ecog_0_2
    pytest.param({"ecog": 0}, (), (), id="ecog-0"),
    pytest.param({"ecog": 2}, (), (), id="ecog-2-limit"),
    pytest.param({"ecog": 3}, ("ecog_0_2",), (), id="ecog-3"),
    pytest.param({"ecog": 5}, ("ecog_0_2",), (), id="ecog-5"),
    pytest.param({"ecog": None}, (), ("ecog_0_2",), id="ecog-missing"),
    # organ_function: each limit, equal to it and one step past it
    pytest.param({"anc": 1.5}, (), (), id="anc-at-limit"),
    pytest.param({"anc": 1.49}, ("organ_function",), (), id="anc-below"),
    pytest.param({"platelets": 100.0}, (), (), id="platelets-at-limit"),
    pytest.param({"platelets": 99.9}, ("organ_function",), (), id="platelets-below"),
    pytest.param({"hemoglobin": 9.0}, (), (), id="hemoglobin-at-limit"),
    pytest.param({"hemoglobin": 8.9}, ("organ_function",), (), id="hemoglobin-below"),
    pytest.param({"bilirubin_uln": 1.5}, (), (), id="bilirubin-at-limit"),
    pytest.param({"bilirubin_uln": 1.51}, ("organ_function",), (), id="bilirubin-above"),
    pytest.param({"creatinine_uln": 1.5}, (), (), id="creatinine-at-limit"),
    pytest.param({"creatinine_uln": 1.51}, ("organ_function",), (), id="creatinine-above"),
    pytest.param({"ast_uln": 2.5, "alt_uln": 2.5}, (), (), id="ast-alt-at-limit"),
    pytest.param({"ast_uln": 2.51}, ("organ_function",), (), id="ast-above-no-liver-mets"),
    pytest.param({"alt_uln": 2.51}, ("organ_function",), (), id="alt-above-no-liver-mets"),
    pytest.param(
        {
            "metastatic_sites": LIVER_METS,
            "liver_metastasis_count": 1,
            "ast_uln": 4.0,
            "alt_uln": 4.0,
        },
        (),
        (),
        id="ast-alt-at-liver-limit",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 1, "ast_uln": 4.01},
        ("organ_function",),
        (),
        id="ast-above-liver-limit",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 1, "alt_uln": 4.01},
        ("organ_function",),
        (),
        id="alt-above-liver-limit",
    ),
    pytest.param({"anc": None}, (), ("organ_function",), id="anc-missing"),
    pytest.param(
        {
            "anc": None,
            "platelets": None,
            "hemoglobin": None,
            "bilirubin_uln": None,
            "ast_uln": None,
            "alt_uln": None,
            "creatinine_uln": None,
        },
        (),
        ("organ_function",),
        id="labs-all-missing-no-liver-lesions",
    ),
    pytest.param(
        {"anc": 0.9, "creatinine_uln": None},
        ("organ_function",),
        (),
        id="anc-fails-though-creatinine-missing",
    ),
    pytest.param(
        {"ast_uln": 3.0, "alt_uln": None},
        ("organ_function",),
        (),
        id="ast-fails-though-alt-missing",
    ),
    pytest.param(
        {"anc": None, "creatinine_uln": 1.0},
        (),
        ("organ_function",),
        id="normal-creatinine-does-not-decide",
    ),
    # no_prior_locoregional_surgery
    pytest.param(
        {"prior_locoregional_surgery": True},
        ("no_prior_locoregional_surgery",),
        (),
        id="prior-surgery",
    ),
    pytest.param(
        {"prior_locoregional_surgery": None},
        (),
        ("no_prior_locoregional_surgery",),
        id="prior-surgery-missing",
    ),
    # systemic_within_1y: not started, or started on or before diagnosis + 1 year
    pytest.param({"systemic_therapy_start": None}, (), (), id="systemic-not-started"),
    pytest.param(
        {"systemic_therapy_start": None, "diagnosis_date": None},
        (),
        (),
        id="systemic-not-started-diagnosis-unknown",
    ),
    pytest.param({"systemic_therapy_start": DIAGNOSIS}, (), (), id="systemic-on-diagnosis-day"),
    pytest.param({"systemic_therapy_start": date(2025, 3, 1)}, (), (), id="systemic-1y-limit"),
    pytest.param(
        {"systemic_therapy_start": date(2025, 3, 2)},
        ("systemic_within_1y",),
        (),
        id="systemic-1y-plus-1-day",
    ),
    pytest.param(
        {"diagnosis_date": date(2024, 2, 29), "systemic_therapy_start": date(2025, 2, 28)},
        (),
        (),
        id="systemic-leap-diagnosis-limit-28-feb",
    ),
    pytest.param(
        {"diagnosis_date": date(2024, 2, 29), "systemic_therapy_start": date(2025, 3, 1)},
        ("systemic_within_1y",),
        (),
        id="systemic-leap-diagnosis-1-mar-too-late",
    ),
    pytest.param(
        {"diagnosis_date": date(2023, 8, 31), "systemic_therapy_start": date(2024, 8, 31)},
        (),
        (),
        id="systemic-month-end-limit",
    ),
    pytest.param(
        {"diagnosis_date": None},
        (),
        ("systemic_within_1y",),
        id="systemic-started-diagnosis-missing",
    ),
    # other_primary_malignancy (exclusion)
    pytest.param(
        {"other_primary_malignancy": True}, ("other_primary_malignancy",), (), id="other-primary"
    ),
    pytest.param(
        {"other_primary_malignancy": None},
        (),
        ("other_primary_malignancy",),
        id="other-primary-missing",
    ),
    # visceral_organs_over_2 (exclusion): more than two distinct visceral site codes
    pytest.param({"metastatic_sites": frozenset()}, (), (), id="visceral-none-listed"),
    pytest.param(
        {
            "metastatic_sites": frozenset(
                {"lung", "pleura", "bone", "distant_lymph_node", "skin_soft_tissue"}
            )
        },
        (),
        (),
        id="visceral-2-plus-non-visceral",
    ),
    pytest.param(
        {"metastatic_sites": frozenset({"lung", "pleura", "brain"})},
        ("visceral_organs_over_2",),
        (),
        id="visceral-3",
    ),
    pytest.param(
        {"metastatic_sites": frozenset({"liver", "lung", "adrenal", "bone"})},
        ("visceral_organs_over_2",),
        (),
        id="visceral-3-with-liver",
    ),
    # followup_not_feasible (exclusion)
    pytest.param({"followup_feasible": False}, ("followup_not_feasible",), (), id="no-followup"),
    pytest.param(
        {"followup_feasible": None}, (), ("followup_not_feasible",), id="followup-missing"
    ),
    # multiple_liver_mets_lft_over_4uln (exclusion): >= 2 lesions and AST or ALT > 4.0 x ULN
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 2, "ast_uln": 4.0},
        (),
        (),
        id="liver-2-ast-at-4",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 2, "ast_uln": 4.01},
        ("organ_function", "multiple_liver_mets_lft_over_4uln"),
        (),
        id="liver-2-ast-above-4",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 5, "alt_uln": 6.0},
        ("organ_function", "multiple_liver_mets_lft_over_4uln"),
        (),
        id="liver-5-alt-above-4",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 1, "ast_uln": 9.0},
        ("organ_function",),
        (),
        id="liver-1-lesion-clears-exclusion",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 1, "ast_uln": None},
        (),
        ("organ_function",),
        id="liver-1-lesion-clears-exclusion-enzymes-missing",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": None},
        (),
        (),
        id="liver-count-missing-enzymes-normal",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": None, "ast_uln": 5.0},
        ("organ_function",),
        ("multiple_liver_mets_lft_over_4uln",),
        id="liver-count-missing-enzymes-high",
    ),
    pytest.param(
        {"metastatic_sites": LIVER_METS, "liver_metastasis_count": 3, "ast_uln": None},
        (),
        ("organ_function", "multiple_liver_mets_lft_over_4uln"),
        id="liver-3-ast-missing-alt-normal",
    ),
    pytest.param(
        {
            "metastatic_sites": LIVER_METS,
            "liver_metastasis_count": 3,
            "ast_uln": None,
            "alt_uln": 5.0,
        },
        ("organ_function", "multiple_liver_mets_lft_over_4uln"),
        (),
        id="liver-3-alt-high-decides-though-ast-missing",
    ),
    # several at once: listed in the order of the table
    pytest.param(
        {"followup_feasible": False, "sex": "male", "ecog": None, "birth_date": None},
        ("female", "followup_not_feasible"),
        ("age_18_75", "ecog_0_2"),
        id="several-in-table-order",
    ),
]


@pytest.mark.parametrize(("changes", "failed", "missing"), CASES)
def test_criterion(
    changes: dict[str, Any], failed: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    result = evaluate(facts(**changes))
    assert (result.failed, result.missing) == (failed, missing)
    assert result.eligible is (False if failed else (None if missing else True))


@pytest.mark.parametrize(("changes", "failed", "missing"), CASES)
def test_judge_shows_every_criterion(
    changes: dict[str, Any], failed: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    rows = judge(facts(**changes))
    assert tuple(code for code, _ in rows) == CRITERIA
    expected = {
        code: STATUS_FAILED if code in failed else STATUS_MISSING if code in missing else STATUS_MET
        for code in CRITERIA
    }
    assert dict(rows) == expected


def test_an_undecided_patient_is_neither_eligible_nor_not() -> None:
    result = evaluate(facts(anc=None))
    assert result == Eligibility(eligible=None, failed=(), missing=("organ_function",))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"metastatic_sites": frozenset({"bone", "spleen"})},
            "metastatic_sites: unknown site code 'spleen'",
            id="unknown-site",
        ),
        pytest.param(
            {"systemic_therapy_start": DIAGNOSIS - timedelta(days=1)},
            "systemic_therapy_start:",
            id="systemic-before-diagnosis",
        ),
        pytest.param({"ecog": -1}, "ecog:", id="ecog-negative"),
        pytest.param({"ecog": 6}, "ecog:", id="ecog-6"),
        pytest.param({"anc": -0.1}, "anc:", id="anc-negative"),
        pytest.param({"anc": math.nan}, "anc:", id="anc-nan"),
        pytest.param({"platelets": -1.0}, "platelets:", id="platelets-negative"),
        pytest.param({"hemoglobin": math.inf}, "hemoglobin:", id="hemoglobin-infinite"),
        pytest.param({"bilirubin_uln": -1.0}, "bilirubin_uln:", id="bilirubin-negative"),
        pytest.param({"ast_uln": -1.0}, "ast_uln:", id="ast-negative"),
        pytest.param({"alt_uln": -1.0}, "alt_uln:", id="alt-negative"),
        pytest.param({"creatinine_uln": -1.0}, "creatinine_uln:", id="creatinine-negative"),
        pytest.param(
            {"liver_metastasis_count": -1}, "liver_metastasis_count:", id="liver-count-negative"
        ),
        pytest.param({"sex": "F"}, "sex:", id="sex-unknown"),
        pytest.param({"metastasis_confirmed_by": "ct"}, "metastasis_confirmed_by:", id="by-ct"),
        pytest.param(
            {"birth_date": SCREENING + timedelta(days=1)}, "birth_date:", id="born-after-screening"
        ),
    ],
)
def test_impossible_facts_are_refused_naming_the_field(
    changes: dict[str, Any], message: str
) -> None:
    bad = facts(**changes)
    with pytest.raises(ValueError, match=f"^{message}"):
        evaluate(bad)
    with pytest.raises(ValueError, match=f"^{message}"):
        judge(bad)


def test_zero_values_are_possible_facts() -> None:
    result = evaluate(facts(anc=0.0, ecog=0, liver_metastasis_count=0))
    assert result.failed == ("organ_function",)


def test_calendar_arithmetic_is_defined_once() -> None:
    # "Plus 1 year" in the systemic-therapy criterion is the follow-up schedule's add_months.
    assert vars(eligibility)["add_months"] is schedule.add_months


def test_the_rules_core_imports_without_django(assert_standard_library_only: Any) -> None:
    assert_standard_library_only(
        "enrollment.eligibility",
        "assessments.recist",
        "arms.rules",
        "followup.schedule",
        "followup.endpoints",
    )


# Property-based tests ---------------------------------------------------------------------------

_maybe_bool = st.one_of(st.none(), st.booleans())
_lab = st.floats(min_value=0, max_value=500, allow_nan=False)


def _dates(start: date, end: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=start, max_value=end)


# Every fact but the dates, with a value that may be missing; the dates are drawn together.
_OPTIONAL_FACTS: dict[str, st.SearchStrategy[Any]] = {
    "sex": st.sampled_from(["female", "male"]),
    "invasive_carcinoma_confirmed": st.booleans(),
    "stage_iv_at_diagnosis": st.booleans(),
    "metastasis_confirmed_by": st.sampled_from(["pathology", "imaging", "unconfirmed"]),
    "operable": st.booleans(),
    "ecog": st.integers(0, 5),
    "anc": st.one_of(_lab, st.sampled_from([1.5, 1.49])),
    "platelets": st.one_of(_lab, st.sampled_from([100.0, 99.9])),
    "hemoglobin": st.one_of(_lab, st.sampled_from([9.0, 8.9])),
    "bilirubin_uln": st.one_of(_lab, st.sampled_from([1.5, 1.51])),
    "ast_uln": st.one_of(_lab, st.sampled_from([2.5, 2.51, 4.0, 4.01])),
    "alt_uln": st.one_of(_lab, st.sampled_from([2.5, 2.51, 4.0, 4.01])),
    "creatinine_uln": st.one_of(_lab, st.sampled_from([1.5, 1.51])),
    "prior_locoregional_surgery": st.booleans(),
    "other_primary_malignancy": st.booleans(),
    "liver_metastasis_count": st.integers(0, 10),
    "followup_feasible": st.booleans(),
}


@st.composite
def screening_facts(draw: st.DrawFn) -> ScreeningFacts:
    screening = draw(_dates(date(2020, 1, 1), date(2030, 12, 31)))
    birth = draw(st.one_of(st.none(), _dates(screening - timedelta(days=365 * 90), screening)))
    diagnosis = draw(st.one_of(st.none(), _dates(date(2018, 1, 1), date(2030, 12, 31))))
    systemic = draw(st.one_of(st.none(), _dates(diagnosis or date(2018, 1, 1), date(2033, 12, 31))))
    optional = {
        name: draw(st.one_of(st.none(), strategy)) for name, strategy in _OPTIONAL_FACTS.items()
    }
    sites = draw(st.frozensets(st.sampled_from(sorted(METASTATIC_SITES))))
    return ScreeningFacts(
        birth_date=birth,
        screening_date=screening,
        diagnosis_date=diagnosis,
        systemic_therapy_start=systemic,
        metastatic_sites=sites,
        **optional,
    )


@given(screening_facts())
def test_eligible_is_false_exactly_when_a_criterion_failed(f: ScreeningFacts) -> None:
    result = evaluate(f)
    assert (result.eligible is False) == bool(result.failed)
    assert (result.eligible is True) == (not result.failed and not result.missing)
    assert (result.eligible is None) == (not result.failed and bool(result.missing))


@given(screening_facts())
def test_failed_and_missing_follow_judge_in_table_order(f: ScreeningFacts) -> None:
    rows = judge(f)
    result = evaluate(f)
    assert tuple(code for code, _ in rows) == CRITERIA
    assert result.failed == tuple(code for code, status in rows if status == STATUS_FAILED)
    assert result.missing == tuple(code for code, status in rows if status == STATUS_MISSING)


@given(screening_facts(), st.data())
def test_facts_that_decide_a_criterion_are_not_overruled_by_the_missing_ones(
    f: ScreeningFacts, data: st.DataObject
) -> None:
    """Filling in any missing fact never changes a criterion that was already met or failed."""
    completion: dict[str, Any] = {}
    for name, strategy in _OPTIONAL_FACTS.items():
        if getattr(f, name) is None:
            completion[name] = data.draw(strategy, label=name)
    if f.birth_date is None:
        completion["birth_date"] = data.draw(
            _dates(f.screening_date - timedelta(days=365 * 90), f.screening_date), label="birth"
        )
    if f.diagnosis_date is None:
        completion["diagnosis_date"] = data.draw(
            _dates(date(2015, 1, 1), f.systemic_therapy_start or date(2030, 12, 31)),
            label="diagnosis",
        )
    before = dict(judge(f))
    after = dict(judge(replace(f, **completion)))
    for code, status in before.items():
        if status != STATUS_MISSING:
            assert after[code] == status, code
    assert STATUS_MISSING not in after.values()
