"""Arm assignment of NCT05285332 (spec section 3).

After first-line systemic therapy the primary tumour and the metastases are each judged by
RECIST 1.1 (`assessments.recist`). "The outcomes of primary and metastatic lesions were mainly
divided into four categories", and each category has its own treatment:

1. Primary CR, metastases CR: diagnostic surgery of the breast, to see whether a pathologic
   complete response was reached.
2. Primary non-CR, metastases CR: "equivalent to that of patients with early resectable breast
   cancer. Surgical treatment of the primary tumour should be promptly performed."
3. Primary CR, metastases non-CR: "Surgical treatment can be selected for isolated and
   resectable metastatic tumour."
4. Primary non-CR, metastases non-CR: "The systemic treatment plan should be replaced, and the
   surgical treatment should not be considered."

"The four conditions ... may alternate with the progression of the tumour or modification of
the treatment plan": every assessment gets its own assignment, kept for ever, and the current
arm is the latest one an investigator confirmed.

Pure Python: standard library only, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.recist import CR, NE, RESPONSES
from ruleviolation import UNKNOWN_CODE, RuleViolation

# The version of these rules, stored with each proposed assignment so that an assignment can
# always be traced to the rules that made it. Raise it whenever the table below changes.
RULES_VERSION = "1.0"

# Interventions: "surgery 1 Mastectomy OR Breast conserving surgery", "surgery 2 Resection of
# metastasis", "Systemic therapy Endocrine therapy or chemotherapy or targeted therapy".
SURGERY_1 = "surgery_1"
SURGERY_2 = "surgery_2"
SYSTEMIC = "systemic"
INTERVENTIONS = (SURGERY_1, SURGERY_2, SYSTEMIC)
INTERVENTION_LABELS: dict[str, str] = {
    SURGERY_1: "Mastectomy or breast-conserving surgery",
    SURGERY_2: "Resection of an isolated, resectable metastasis",
    SYSTEMIC: "Change of the systemic regimen, no surgery",
}


@dataclass(frozen=True)
class Arm:
    number: int  # 1..4
    label: str  # e.g. "Primary CR, metastases CR"
    intervention: str  # "surgery_1" | "surgery_2" | "systemic"


# "A compartment is in complete remission when its overall response is "CR"; any other
# response is "non-CR"."
ARMS: dict[int, Arm] = {
    1: Arm(1, "Primary CR, metastases CR", SURGERY_1),
    2: Arm(2, "Primary non-CR, metastases CR", SURGERY_1),
    3: Arm(3, "Primary CR, metastases non-CR", SURGERY_2),
    4: Arm(4, "Primary non-CR, metastases non-CR", SYSTEMIC),
}

# (primary in complete remission, metastases in complete remission) -> arm number.
_ARM_BY_REMISSION: dict[tuple[bool, bool], int] = {
    (True, True): 1,
    (False, True): 2,
    (True, False): 3,
    (False, False): 4,
}


def assign_arm(primary_response: str, metastatic_response: str) -> Arm | None:
    """The arm for the overall responses of the primary and the metastatic compartment.

    A compartment is in complete remission when its overall response is "CR"; any other
    response is "non-CR". `None` when either response is "NE": the assessment is incomplete
    and no arm can be assigned. A code that is not a RECIST overall response is a `ValueError`.
    """
    for field, response in (
        ("primary_response", primary_response),
        ("metastatic_response", metastatic_response),
    ):
        if response not in RESPONSES:
            raise RuleViolation(field, UNKNOWN_CODE, f"unknown response code {response!r}")
    if NE in (primary_response, metastatic_response):
        return None
    return ARMS[_ARM_BY_REMISSION[(primary_response == CR, metastatic_response == CR)]]
