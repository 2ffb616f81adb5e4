"""Tumour response by RECIST 1.1 (spec section 2): every category and every boundary."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.recist import (
    CR,
    NE,
    NON_CR_NON_PD,
    NON_TARGET_STATUSES,
    PD,
    PR,
    RESPONSES,
    SD,
    TARGET_RESPONSES,
    TargetLesion,
    non_target_response,
    overall_response,
    target_response,
)


def lesion(baseline: float, current: float | None, *, nodal: bool = False) -> TargetLesion:
    return TargetLesion(nodal=nodal, baseline_mm=baseline, current_mm=current)


def node(baseline: float, current: float | None) -> TargetLesion:
    return lesion(baseline, current, nodal=True)


def test_codes_are_the_spec_codes() -> None:
    assert (CR, PR, SD, PD, NE, NON_CR_NON_PD) == ("CR", "PR", "SD", "PD", "NE", "NON_CR_NON_PD")
    assert NON_TARGET_STATUSES == ("absent", "present", "progression", "not_evaluated")


@pytest.mark.parametrize(
    ("lesions", "prior_sums", "expected"),
    [
        pytest.param([], (), None, id="no-target-lesions"),
        # PR: at least 30 % below the baseline sum
        pytest.param([lesion(30, 20), lesion(20, 15)], (), PR, id="pr-exactly-30pct-50-to-35"),
        pytest.param([lesion(30, 20), lesion(20, 15.1)], (), SD, id="sd-29.8pct-50-to-35.1"),
        pytest.param(
            [lesion(33.3, 23.3), lesion(16.7, 11.7)], (), PR, id="pr-exactly-30pct-decimal-mm"
        ),
        pytest.param([lesion(10.1, 7.07)], (), PR, id="pr-exactly-30pct-of-10.1"),
        pytest.param([lesion(10.1, 7.08)], (), SD, id="sd-just-under-30pct-of-10.1"),
        pytest.param([lesion(50, 50)], (), SD, id="sd-unchanged"),
        # PD: at least 20 % and at least 5 mm above the nadir
        pytest.param([lesion(40, 30)], (25,), PD, id="pd-nadir-25-to-30-exactly-20pct-5mm"),
        pytest.param([lesion(40, 29.9)], (25,), SD, id="sd-nadir-25-to-29.9"),
        pytest.param([lesion(20, 24)], (), SD, id="not-pd-nadir-20-to-24-only-4mm"),
        pytest.param([lesion(20, 25)], (), PD, id="pd-nadir-20-to-25"),
        pytest.param([lesion(50, 59.9)], (), SD, id="not-pd-nadir-50-to-59.9-only-19.8pct"),
        pytest.param([lesion(50, 60)], (), PD, id="pd-nadir-50-to-60-exactly-20pct"),
        pytest.param(
            [lesion(12.5, 15.1), lesion(12.5, 14.9)], (), PD, id="pd-exactly-20pct-decimal-mm"
        ),
        pytest.param([lesion(30, 5)], (0,), PD, id="pd-from-nadir-0-by-5mm"),
        pytest.param([lesion(30, 4.9)], (0,), PR, id="not-pd-from-nadir-0-by-4.9mm"),
        pytest.param([lesion(100, 48)], (60, 40), PD, id="pd-nadir-from-prior-sums"),
        pytest.param([lesion(100, 47.9)], (60, 40), PR, id="pr-nadir-from-prior-sums"),
        # a prior sum added up in binary floating point: 0.1 + 16.1 + 8.8 == 25.000000000000004
        pytest.param([lesion(40, 30)], (0.1 + 16.1 + 8.8,), PD, id="pd-float-noise-in-prior-sum"),
        # in binary floating point 17.8 * 0.7 == 12.459999999999999
        pytest.param([lesion(10.1, 7.2), lesion(7.7, 5.26)], (), PR, id="pr-exactly-30pct-of-17.8"),
        pytest.param([lesion(120, 130)], (150,), SD, id="prior-above-baseline-nadir-is-baseline"),
        # PD holds even when some lesions were not evaluated
        pytest.param([lesion(20, 40), lesion(10, None)], (), PD, id="pd-despite-unevaluated"),
        pytest.param([lesion(20, 30), lesion(10, None)], (), NE, id="ne-evaluated-sum-not-pd"),
        pytest.param([lesion(20, 0), lesion(10, None)], (), NE, id="ne-not-cr-when-unevaluated"),
        pytest.param([lesion(20, None)], (), NE, id="ne-single-unevaluated"),
        # CR: non-nodal lesions 0 mm, nodal lesions under 10 mm
        pytest.param([lesion(30, 0), lesion(20, 0)], (), CR, id="cr-all-gone"),
        pytest.param([lesion(30, 0), node(15, 9.9)], (), CR, id="cr-node-9.9mm"),
        pytest.param([lesion(30, 0), node(15, 10)], (), PR, id="not-cr-node-10mm"),
        pytest.param([node(15, 9)], (), CR, id="cr-nodes-only-under-10mm"),
        pytest.param([lesion(30, 0.1), node(15, 5)], (), PR, id="not-cr-residual-0.1mm"),
    ],
)
def test_target_response(
    lesions: list[TargetLesion], prior_sums: tuple[float, ...], expected: str | None
) -> None:
    assert target_response(lesions, prior_sums) == expected


def test_a_node_under_10mm_is_complete_response() -> None:
    # RECIST 1.1: nodes return to normal below 10 mm short axis, even though the sum is not 0.
    assert target_response([node(15, 9)]) == CR
    assert target_response([node(15, 10)]) == PR
    assert target_response([node(15, 12)]) == SD
    assert target_response([node(15, 10.5), node(20, 4)]) == PR


@pytest.mark.parametrize(
    ("lesions", "prior_sums", "field"),
    [
        pytest.param([lesion(-1, 0)], (), r"lesions\[0\]\.baseline_mm", id="negative-baseline"),
        pytest.param(
            [lesion(10, 0), lesion(10, -0.5)], (), r"lesions\[1\]\.current_mm", id="negative-now"
        ),
        pytest.param([lesion(10, 5)], (20, -3), r"prior_sums_mm\[1\]", id="negative-prior-sum"),
        pytest.param([lesion(math.nan, 5)], (), r"lesions\[0\]\.baseline_mm", id="nan-baseline"),
        pytest.param([lesion(10, math.inf)], (), r"lesions\[0\]\.current_mm", id="inf-current"),
    ],
)
def test_impossible_measurements_are_refused_naming_the_field(
    lesions: list[TargetLesion], prior_sums: tuple[float, ...], field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        target_response(lesions, prior_sums)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param([], None, id="no-non-target-lesions"),
        pytest.param(["absent"], CR, id="cr-absent"),
        pytest.param(["absent", "absent"], CR, id="cr-all-absent"),
        pytest.param(["absent", "present"], NON_CR_NON_PD, id="non-cr-non-pd"),
        pytest.param(["present"], NON_CR_NON_PD, id="non-cr-non-pd-present"),
        pytest.param(["present", "not_evaluated"], NE, id="ne"),
        pytest.param(["absent", "not_evaluated"], NE, id="ne-not-cr"),
        pytest.param(["not_evaluated", "progression"], PD, id="pd-beats-ne"),
        pytest.param(["absent", "progression"], PD, id="pd"),
    ],
)
def test_non_target_response(statuses: list[str], expected: str | None) -> None:
    assert non_target_response(statuses) == expected


def test_an_unknown_non_target_status_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^statuses\[1\]: unknown non-target status 'gone'"):
        non_target_response(["absent", "gone"])


_NON_PD_NON_TARGET = [None, CR, NON_CR_NON_PD, NE]


def _overall_cases() -> list[Any]:
    cases: list[Any] = []

    def case(target: str | None, non_target: str | None, new: bool, expected: str) -> None:
        cases.append(
            pytest.param(target, non_target, new, expected, id=f"{target}-{non_target}-new={new}")
        )

    # RECIST 1.1 table 1: target (and non-target) disease
    case(CR, CR, False, CR)
    case(CR, None, False, CR)
    case(CR, NON_CR_NON_PD, False, PR)
    case(CR, NE, False, PR)
    for non_target in _NON_PD_NON_TARGET:
        case(PR, non_target, False, PR)
        case(SD, non_target, False, SD)
        case(NE, non_target, False, NE)
    # RECIST 1.1 table 2: non-target disease only
    case(None, CR, False, CR)
    case(None, NON_CR_NON_PD, False, NON_CR_NON_PD)
    case(None, NE, False, NE)
    # PD in any part, or new lesions, is PD
    for target in (None, CR, PR, SD, NE, PD):
        case(target, PD, False, PD)
        for non_target in _NON_PD_NON_TARGET:
            if target is None and non_target is None:
                continue
            case(target, non_target, True, PD)
            if target == PD:
                case(target, non_target, False, PD)
    return cases


@pytest.mark.parametrize(("target", "non_target", "new_lesions", "expected"), _overall_cases())
def test_overall_response(
    target: str | None, non_target: str | None, new_lesions: bool, expected: str
) -> None:
    assert overall_response(target, non_target, new_lesions) == expected


@pytest.mark.parametrize(
    ("target", "non_target", "field"),
    [
        pytest.param(None, None, "target", id="nothing-to-assess"),
        pytest.param("XX", CR, "target", id="unknown-target"),
        pytest.param(NON_CR_NON_PD, CR, "target", id="non-cr-non-pd-is-not-a-target-response"),
        pytest.param(CR, PR, "non_target", id="pr-is-not-a-non-target-response"),
        pytest.param(CR, "absent", "non_target", id="status-is-not-a-response"),
    ],
)
def test_overall_response_refuses_unknown_codes(
    target: str | None, non_target: str | None, field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        overall_response(target, non_target, new_lesions=False)


# Property-based tests ---------------------------------------------------------------------------

_mm = st.decimals(min_value=0, max_value=300, places=1).map(float)


@st.composite
def shrinking_assessments(draw: st.DrawFn) -> tuple[list[TargetLesion], list[float]]:
    """Target lesions whose sum only shrank: baseline >= each prior sum >= the current sum."""
    nodal = draw(st.lists(st.booleans(), min_size=1, max_size=5))
    baselines = [draw(_mm) for _ in nodal]
    currents = [draw(st.floats(0, b)) for b in baselines]
    baseline_sum, current_sum = sum(baselines), sum(currents)
    priors = sorted(draw(st.lists(st.floats(current_sum, baseline_sum), max_size=4)), reverse=True)
    lesions = [lesion(b, c, nodal=n) for n, b, c in zip(nodal, baselines, currents, strict=True)]
    return lesions, priors


@given(shrinking_assessments())
def test_a_target_sum_that_only_shrinks_never_gives_pd(
    assessment: tuple[list[TargetLesion], list[float]],
) -> None:
    lesions, prior_sums = assessment
    assert target_response(lesions, prior_sums) in (CR, PR, SD)


@given(
    st.lists(
        st.builds(
            TargetLesion,
            nodal=st.booleans(),
            baseline_mm=_mm,
            current_mm=st.one_of(st.none(), _mm),
        ),
        max_size=6,
    ),
    st.lists(_mm, max_size=4),
)
def test_target_response_is_a_target_code(
    lesions: list[TargetLesion], prior_sums: list[float]
) -> None:
    response = target_response(lesions, prior_sums)
    if not lesions:
        assert response is None
    else:
        assert response in TARGET_RESPONSES
        if response != PD and any(les.current_mm is None for les in lesions):
            assert response == NE


@given(
    st.one_of(st.none(), st.sampled_from(TARGET_RESPONSES)),
    st.one_of(st.none(), st.sampled_from([CR, NON_CR_NON_PD, PD, NE])),
    st.booleans(),
)
def test_overall_response_is_total_on_the_codes(
    target: str | None, non_target: str | None, new_lesions: bool
) -> None:
    if target is None and non_target is None:
        with pytest.raises(ValueError, match="^target:"):
            overall_response(target, non_target, new_lesions)
        return
    response = overall_response(target, non_target, new_lesions)
    assert response in RESPONSES
    assert (response == PD) == (new_lesions or PD in (target, non_target))
