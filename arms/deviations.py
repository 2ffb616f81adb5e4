"""Treatment delivered against the signed arm: which treatments the arm did not call for.

Pure Python over plain values (the selectors build them from the database), so the rule can
be tested with a table. Each arm has one intervention (`arms.rules.ARMS[n].intervention`):
surgery 1 (mastectomy or breast-conserving surgery) for arms 1 and 2, surgery 2 (resection of
an isolated metastasis) for arm 3, a change of the systemic regimen for arm 4.

A treatment is judged against the arm in force on its date: the latest signed arm whose
assessment is on or before that date. Judging it against today's arm instead would turn a
regimen changed correctly under arm 4 into a deviation the day the participant moves to arm 2,
a move the protocol expects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .rules import ARMS, SURGERY_1, SURGERY_2, SYSTEMIC

# What a deviation says; the Django layer translates these (they are msgids).
NOT_THE_ARMS_INTERVENTION = "not_the_arms_intervention"
SURGERY_BEFORE_ANY_ARM = "surgery_before_any_arm"


@dataclass(frozen=True)
class SignedArm:
    arm: int  # 1..4
    effective_from: dt.date  # the date of the assessment it was assigned on
    assignment_id: int | None = None


@dataclass(frozen=True)
class DeliveredTreatment:
    date: dt.date
    intervention: str  # SURGERY_1 | SURGERY_2 | SYSTEMIC
    description: str
    record_id: int | None = None


@dataclass(frozen=True)
class TreatmentDeviation:
    treatment: DeliveredTreatment
    arm: int | None  # the arm in force on the treatment's date, None when none was signed
    expected_intervention: str | None
    code: str  # NOT_THE_ARMS_INTERVENTION | SURGERY_BEFORE_ANY_ARM


def arm_in_force(arms: Sequence[SignedArm], on: dt.date) -> SignedArm | None:
    candidates = [a for a in arms if a.effective_from <= on]
    return max(candidates, key=lambda a: a.effective_from, default=None)


def treatment_deviations(
    arms: Sequence[SignedArm], treatments: Sequence[DeliveredTreatment]
) -> list[TreatmentDeviation]:
    """The delivered treatments that do not match the arm in force on their date.

    Systemic therapy before any signed arm is first-line treatment, which the protocol
    expects; surgery before any signed arm is not (surgery follows the arm).
    """
    for treatment in treatments:
        if treatment.intervention not in (SURGERY_1, SURGERY_2, SYSTEMIC):
            raise ValueError(f"unknown intervention {treatment.intervention!r}")
    deviations = []
    for treatment in sorted(treatments, key=lambda t: t.date):
        signed = arm_in_force(arms, treatment.date)
        if signed is None:
            if treatment.intervention != SYSTEMIC:
                deviations.append(TreatmentDeviation(treatment, None, None, SURGERY_BEFORE_ANY_ARM))
            continue
        expected = ARMS[signed.arm].intervention
        if treatment.intervention != expected:
            deviations.append(
                TreatmentDeviation(treatment, signed.arm, expected, NOT_THE_ARMS_INTERVENTION)
            )
    return deviations
