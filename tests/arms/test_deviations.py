"""Treatment delivered against the arm in force: the pure rule, then the casebook's use of it."""

import datetime as dt

import pytest

from arms import deviations as d
from arms.rules import SURGERY_1, SURGERY_2, SYSTEMIC

D = dt.date
APRIL, JULY = D(2026, 4, 6), D(2026, 7, 6)


def _t(date, intervention):
    return d.DeliveredTreatment(date=date, intervention=intervention, description=intervention)


@pytest.mark.parametrize(
    ("arm", "intervention", "deviates"),
    [
        (1, SURGERY_1, False),
        (1, SURGERY_2, True),
        (1, SYSTEMIC, True),
        (2, SURGERY_1, False),
        (2, SURGERY_2, True),
        (2, SYSTEMIC, True),
        (3, SURGERY_1, True),
        (3, SURGERY_2, False),
        (3, SYSTEMIC, True),
        (4, SURGERY_1, True),
        (4, SURGERY_2, True),
        (4, SYSTEMIC, False),
    ],
)
def test_a_treatment_deviates_when_it_is_not_the_arms_intervention(arm, intervention, deviates):
    found = d.treatment_deviations([d.SignedArm(arm, APRIL)], [_t(D(2026, 5, 1), intervention)])

    assert bool(found) == deviates
    if deviates:
        assert found[0].arm == arm
        assert found[0].code == d.NOT_THE_ARMS_INTERVENTION


def test_a_treatment_is_judged_against_the_arm_in_force_on_its_date():
    arms = [d.SignedArm(4, APRIL), d.SignedArm(2, JULY)]
    regimen_change = _t(D(2026, 5, 1), SYSTEMIC)  # under arm 4: expected
    mastectomy = _t(D(2026, 8, 1), SURGERY_1)  # under arm 2: expected
    late_regimen = _t(D(2026, 9, 1), SYSTEMIC)  # under arm 2: a deviation

    found = d.treatment_deviations(arms, [late_regimen, mastectomy, regimen_change])

    assert [(x.treatment, x.arm, x.expected_intervention) for x in found] == [
        (late_regimen, 2, SURGERY_1)
    ]


def test_first_line_therapy_before_any_arm_is_expected_but_surgery_is_not():
    found = d.treatment_deviations(
        [d.SignedArm(1, JULY)], [_t(D(2026, 1, 10), SYSTEMIC), _t(D(2026, 3, 1), SURGERY_1)]
    )
    assert [(x.treatment.date, x.arm, x.code) for x in found] == [
        (D(2026, 3, 1), None, d.SURGERY_BEFORE_ANY_ARM)
    ]


def test_a_treatment_on_the_assessment_day_falls_under_that_assessments_arm():
    assert d.arm_in_force([d.SignedArm(4, APRIL), d.SignedArm(3, JULY)], JULY).arm == 3
    assert d.arm_in_force([d.SignedArm(4, APRIL)], D(2026, 4, 5)) is None


def test_an_unknown_intervention_is_an_error():
    with pytest.raises(ValueError, match="unknown intervention"):
        d.treatment_deviations([], [_t(APRIL, "radiotherapy")])
