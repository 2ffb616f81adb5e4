"""Tumour response by RECIST 1.1 (spec section 2).

Each response assessment is judged twice, once for the primary compartment (the breast tumour
and its regional nodes) and once for the metastatic compartment (all distant lesions), each
against its own baseline. Within a compartment the target lesions give the target response,
the non-target lesions the non-target response, and the two together with the appearance of
new lesions give the overall response (RECIST 1.1 tables 1 and 2).

Measurements are in millimetres: the longest diameter of a non-nodal lesion, the short axis of
a lymph node. They are compared at a resolution of 0.000001 mm, far finer than any scan can
measure, so that the rounding of binary floating point never moves a case across a RECIST
boundary: a fall from 50 mm to 35 mm is exactly 30 %, a rise from 25 mm to 30 mm exactly 20 %.

Pure Python: standard library only, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ruleviolation import NOTHING_TO_ASSESS, OUT_OF_RANGE, UNKNOWN_CODE, RuleViolation

# Protocol thresholds (RECIST 1.1). A protocol amendment changes one line here.

# "PD when the sum of the evaluated lesions is at least 20 % above the nadir
# and at least 5 mm above it"
PD_MIN_INCREASE_FRACTION = 0.20
PD_MIN_INCREASE_MM = 5.0
# "PR when the sum is at least 30 % below the baseline sum"
PR_MIN_DECREASE_FRACTION = 0.30
# "CR when every non-nodal lesion measures 0 mm and every nodal lesion is under 10 mm"
CR_NODE_SHORT_AXIS_MM = 10.0

# Response codes: "CR" complete response, "PR" partial response, "SD" stable disease, "PD"
# progressive disease, "NE" not evaluable, "NON_CR_NON_PD" non-target disease neither gone nor
# progressing.
CR = "CR"
PR = "PR"
SD = "SD"
PD = "PD"
NE = "NE"
NON_CR_NON_PD = "NON_CR_NON_PD"
TARGET_RESPONSES = (CR, PR, SD, PD, NE)
NON_TARGET_RESPONSES = (CR, NON_CR_NON_PD, PD, NE)
# Every overall response a compartment can have.
RESPONSES = (CR, PR, SD, NON_CR_NON_PD, PD, NE)

# Status of one non-target lesion: "absent", "present", "progression" (unequivocal) or
# "not_evaluated".
ABSENT = "absent"
PRESENT = "present"
PROGRESSION = "progression"
NOT_EVALUATED = "not_evaluated"
NON_TARGET_STATUSES = (ABSENT, PRESENT, PROGRESSION, NOT_EVALUATED)

_MM_RESOLUTION = Decimal("0.000001")


@dataclass(frozen=True)
class TargetLesion:
    nodal: bool  # lymph node: measured on its short axis
    baseline_mm: float
    current_mm: float | None  # None: not evaluated at this assessment


def _mm(value: float, field: str) -> Decimal:
    """A measurement in millimetres as an exact decimal, refusing what no scan can give."""
    if not math.isfinite(value) or value < 0:
        raise RuleViolation(
            field, OUT_OF_RANGE, f"must be a finite length of 0 mm or more, got {value!r}"
        )
    return Decimal(repr(float(value))).quantize(_MM_RESOLUTION)


def _exact(value: float) -> Decimal:
    """A protocol constant as the exact decimal it is written as."""
    return Decimal(repr(float(value)))


def target_response(
    lesions: Sequence[TargetLesion], prior_sums_mm: Sequence[float] = ()
) -> str | None:
    """The response of the target lesions, or `None` when there are none.

    The nadir is the smallest of the baseline sum and `prior_sums_mm`, the sums at earlier
    on-study assessments. In this order:

    - "PD" when the sum of the evaluated lesions is at least 20 % above the nadir and at least
      5 mm above it (this holds even when some lesions were not evaluated);
    - "NE" when any lesion was not evaluated;
    - "CR" when every non-nodal lesion measures 0 mm and every nodal lesion is under 10 mm;
    - "PR" when the sum is at least 30 % below the baseline sum;
    - "SD" otherwise.
    """
    if not lesions:
        return None
    baseline_sum = sum(
        (_mm(lesion.baseline_mm, f"lesions[{i}].baseline_mm") for i, lesion in enumerate(lesions)),
        Decimal(0),
    )
    current = [
        None if lesion.current_mm is None else _mm(lesion.current_mm, f"lesions[{i}].current_mm")
        for i, lesion in enumerate(lesions)
    ]
    prior = [_mm(s, f"prior_sums_mm[{i}]") for i, s in enumerate(prior_sums_mm)]
    nadir = min([baseline_sum, *prior])
    current_sum = sum((mm for mm in current if mm is not None), Decimal(0))

    increase = current_sum - nadir
    at_least_5_mm = increase >= _exact(PD_MIN_INCREASE_MM)
    at_least_20_percent = increase >= nadir * _exact(PD_MIN_INCREASE_FRACTION)
    if at_least_5_mm and at_least_20_percent:
        return PD
    if any(mm is None for mm in current):
        return NE
    node_limit = _exact(CR_NODE_SHORT_AXIS_MM)
    if all(
        (mm is not None and mm < node_limit) if lesion.nodal else mm == 0
        for lesion, mm in zip(lesions, current, strict=True)
    ):
        return CR
    if baseline_sum - current_sum >= baseline_sum * _exact(PR_MIN_DECREASE_FRACTION):
        return PR
    return SD


def non_target_response(statuses: Sequence[str]) -> str | None:
    """The response of the non-target lesions, one status per lesion; `None` when there are
    none.

    "PD" if any lesion shows unequivocal progression; else "NE" if any was not evaluated; else
    "CR" if all are absent; else "NON_CR_NON_PD".
    """
    for i, status in enumerate(statuses):
        if status not in NON_TARGET_STATUSES:
            raise RuleViolation(
                f"statuses[{i}]", UNKNOWN_CODE, f"unknown non-target status {status!r}"
            )
    if not statuses:
        return None
    if PROGRESSION in statuses:
        return PD
    if NOT_EVALUATED in statuses:
        return NE
    if all(status == ABSENT for status in statuses):
        return CR
    return NON_CR_NON_PD


def overall_response(target: str | None, non_target: str | None, new_lesions: bool) -> str:
    """The overall response of a compartment (RECIST 1.1 tables 1 and 2).

    "PD" when there are new lesions, or the target or the non-target response is "PD".
    Otherwise, by target response:

    - `None` (non-target disease only): "CR", "NON_CR_NON_PD" or "NE" as the non-target
      response;
    - "CR": "CR" when the non-target response is "CR" or `None`, else "PR";
    - "PR": "PR"; "SD": "SD"; "NE": "NE".

    A compartment with neither target nor non-target lesions has no response: a `ValueError`.
    """
    if target is not None and target not in TARGET_RESPONSES:
        raise RuleViolation("target", UNKNOWN_CODE, f"unknown target response {target!r}")
    if non_target is not None and non_target not in NON_TARGET_RESPONSES:
        raise RuleViolation(
            "non_target", UNKNOWN_CODE, f"unknown non-target response {non_target!r}"
        )
    if target is None:
        if non_target is None:
            raise RuleViolation(
                "target",
                NOTHING_TO_ASSESS,
                "no target and no non-target response: nothing to assess",
            )
        return PD if new_lesions else non_target
    if new_lesions or PD in (target, non_target):
        return PD
    if target == CR:
        return CR if non_target in (CR, None) else PR
    return target
