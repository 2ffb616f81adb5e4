"""Arm assignment (spec section 3): the four arms, incomplete assessments, unknown codes."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arms.rules import ARMS, RULES_VERSION, Arm, assign_arm
from assessments.recist import CR, NE, NON_CR_NON_PD, PD, PR, RESPONSES, SD


def test_the_four_arms() -> None:
    assert [f.name for f in fields(Arm)] == ["number", "label", "intervention"]
    assert {
        1: Arm(1, "Primary CR, metastases CR", "surgery_1"),
        2: Arm(2, "Primary non-CR, metastases CR", "surgery_1"),
        3: Arm(3, "Primary CR, metastases non-CR", "surgery_2"),
        4: Arm(4, "Primary non-CR, metastases non-CR", "systemic"),
    } == ARMS
    assert RULES_VERSION == "1.0"


@pytest.mark.parametrize(
    ("primary", "metastatic", "arm"),
    [
        pytest.param(CR, CR, 1, id="arm1-cr-cr"),
        pytest.param(PR, CR, 2, id="arm2-pr-cr"),
        pytest.param(SD, CR, 2, id="arm2-sd-cr"),
        pytest.param(PD, CR, 2, id="arm2-pd-cr"),
        pytest.param(NON_CR_NON_PD, CR, 2, id="arm2-non-cr-non-pd-cr"),
        pytest.param(CR, PR, 3, id="arm3-cr-pr"),
        pytest.param(CR, SD, 3, id="arm3-cr-sd"),
        pytest.param(CR, PD, 3, id="arm3-cr-pd"),
        pytest.param(CR, NON_CR_NON_PD, 3, id="arm3-cr-non-cr-non-pd"),
        pytest.param(PR, PR, 4, id="arm4-pr-pr"),
        pytest.param(SD, PD, 4, id="arm4-sd-pd"),
        pytest.param(PD, NON_CR_NON_PD, 4, id="arm4-pd-non-cr-non-pd"),
        pytest.param(NE, CR, None, id="none-primary-ne"),
        pytest.param(CR, NE, None, id="none-metastatic-ne"),
        pytest.param(NE, NE, None, id="none-both-ne"),
        pytest.param(PD, NE, None, id="none-pd-ne"),
    ],
)
def test_assign_arm(primary: str, metastatic: str, arm: int | None) -> None:
    assert assign_arm(primary, metastatic) == (None if arm is None else ARMS[arm])


@pytest.mark.parametrize(
    ("primary", "metastatic", "field"),
    [
        pytest.param("pCR", CR, "primary_response", id="unknown-primary"),
        pytest.param(CR, "cr", "metastatic_response", id="unknown-metastatic-lower-case"),
        pytest.param(CR, "absent", "metastatic_response", id="status-is-not-a-response"),
        pytest.param("", NE, "primary_response", id="empty-primary"),
    ],
)
def test_unknown_response_codes_are_refused_naming_the_field(
    primary: str, metastatic: str, field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field}: unknown response code"):
        assign_arm(primary, metastatic)


@given(st.sampled_from(RESPONSES), st.sampled_from(RESPONSES))
def test_assign_arm_is_total_on_the_response_codes(primary: str, metastatic: str) -> None:
    arm = assign_arm(primary, metastatic)
    if NE in (primary, metastatic):
        assert arm is None
        return
    assert arm is not None
    assert arm in ARMS.values()
    primary_cr, metastases_cr = primary == CR, metastatic == CR
    assert (
        arm.intervention
        == {
            (True, True): "surgery_1",
            (False, True): "surgery_1",
            (True, False): "surgery_2",
            (False, False): "systemic",
        }[(primary_cr, metastases_cr)]
    )
    assert arm.label.startswith("Primary CR" if primary_cr else "Primary non-CR")
    assert arm.label.endswith("metastases CR" if metastases_cr else "metastases non-CR")


def test_response_codes_cover_every_overall_response() -> None:
    expected: set[Any] = {CR, PR, SD, PD, NE, NON_CR_NON_PD}
    assert set(RESPONSES) == expected


def test_arm_rules_import_only_the_standard_library(assert_standard_library_only: Any) -> None:
    assert_standard_library_only("arms.rules")
