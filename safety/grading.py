"""Safety rules: CTCAE v5.0 grades, seriousness (ICH E2A), Clavien-Dindo, the 24-hour SAE clock.

Pure Python: standard library only, no clock (the caller passes `now`).

- CTCAE v5.0: "Grade refers to the severity of the AE. The CTCAE displays Grades 1 through 5
  with unique clinical descriptions of severity for each AE"; a term may leave a grade
  undefined (shown as "-" in the CTCAE): such a grade cannot be given. "Grade 5 (Death) is
  not appropriate for some AEs": where it is defined, it means the event caused death, so a
  death report is required.
- ICH E2A: a serious adverse event is one that results in death, is life-threatening, requires
  inpatient hospitalisation or prolongation of existing hospitalisation, results in persistent
  or significant disability/incapacity, is a congenital anomaly/birth defect, or is another
  important medical event.
- China's GCP (2020), article 26: the investigator reports a serious adverse event to the
  sponsor within 24 hours of learning of it (the awareness date-time).
- Clavien-Dindo (Dindo, Demartines, Clavien, Ann Surg 2004): the grade of a surgical
  complication by the therapy it needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ruleviolation import OUT_OF_RANGE, UNKNOWN_CODE, RuleViolation

# --- CTCAE ------------------------------------------------------------------------------------

CTCAE_VERSION = "5.0"
GRADES = (1, 2, 3, 4, 5)
DEATH_GRADE = 5
SEVERE_GRADE = 3  # "grade >= 3": severe, or worse

# The CTCAE's general guideline for each grade (the term's own definition takes precedence).
GRADE_GUIDELINES = {
    1: "Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; "
    "intervention not indicated.",
    2: "Moderate; minimal, local or noninvasive intervention indicated; limiting "
    "age-appropriate instrumental ADL.",
    3: "Severe or medically significant but not immediately life-threatening; hospitalization "
    "or prolongation of hospitalization indicated; disabling; limiting self care ADL.",
    4: "Life-threatening consequences; urgent intervention indicated.",
    5: "Death related to AE.",
}


def check_grade(grade: int, defined: Mapping[int, str]) -> None:
    """Refuse a grade outside 1-5, or one the term does not define (its cell is empty).

    `defined` maps each grade the term defines to its definition (CTCAE's "-" left out)."""
    if grade not in GRADES:
        raise RuleViolation("grade", OUT_OF_RANGE, f"CTCAE grades are 1 to 5, not {grade}")
    if not defined.get(grade, "").strip():
        raise RuleViolation("grade", UNKNOWN_CODE, f"this term has no grade {grade} in CTCAE v5.0")


def requires_death_report(grade: int | None) -> bool:
    """Grade 5 is death related to the adverse event: the death report must exist."""
    return grade == DEATH_GRADE


def is_severe(grade: int | None) -> bool:
    return grade is not None and grade >= SEVERE_GRADE


# --- Seriousness (ICH E2A) --------------------------------------------------------------------

SERIOUSNESS_CRITERIA = (
    "results_in_death",
    "life_threatening",
    "hospitalisation",
    "disability",
    "congenital_anomaly",
    "other_important_event",
)


def is_serious(criteria: Mapping[str, bool | None]) -> bool:
    """An adverse event is serious when it meets any of ICH E2A's criteria."""
    unknown = set(criteria) - set(SERIOUSNESS_CRITERIA)
    if unknown:
        name = sorted(unknown)[0]
        raise RuleViolation(name, UNKNOWN_CODE, f"{name} is not a seriousness criterion")
    return any(bool(criteria.get(name)) for name in SERIOUSNESS_CRITERIA)


def seriousness_conflicts(grade: int | None, criteria: Mapping[str, bool | None]) -> list[str]:
    """The criteria that contradict the grade: a grade 5 event resulted in death, and only a
    grade 5 event did; a grade 4 event is life-threatening by definition, so is not "not
    life-threatening" (the criterion is implied, so it is not a conflict to leave it empty)."""
    conflicts = []
    death = bool(criteria.get("results_in_death"))
    if grade == DEATH_GRADE and not death:
        conflicts.append("results_in_death")
    if death and grade is not None and grade != DEATH_GRADE:
        conflicts.append("grade")
    return conflicts


# --- The 24-hour clock ------------------------------------------------------------------------

SAE_REPORTING_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SaeClock:
    aware_at: dt.datetime
    deadline: dt.datetime

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        """Time left before the deadline; negative once it has passed."""
        return self.deadline - now

    def is_overdue(self, now: dt.datetime, *, reported_at: dt.datetime | None = None) -> bool:
        """Overdue: not reported by the deadline (a report after it stays late)."""
        if reported_at is not None:
            return reported_at > self.deadline
        return now > self.deadline


def sae_clock(aware_at: dt.datetime) -> SaeClock:
    """The clock that marking an event serious starts: 24 hours from the site's awareness."""
    if aware_at.tzinfo is None:
        raise RuleViolation("aware_at", UNKNOWN_CODE, "the awareness time needs its time zone")
    return SaeClock(aware_at=aware_at, deadline=aware_at + SAE_REPORTING_WINDOW)


# --- Clavien-Dindo ----------------------------------------------------------------------------

CLAVIEN_DINDO = {
    "I": "Any deviation from the normal postoperative course without the need for "
    "pharmacological treatment or surgical, endoscopic and radiological interventions "
    "(antiemetics, antipyretics, analgesics, diuretics, electrolytes and physiotherapy are "
    "allowed, as are wound infections opened at the bedside).",
    "II": "Requiring pharmacological treatment with drugs other than those allowed for grade I "
    "complications; blood transfusions and total parenteral nutrition are included.",
    "IIIa": "Requiring surgical, endoscopic or radiological intervention not under general "
    "anaesthesia.",
    "IIIb": "Requiring surgical, endoscopic or radiological intervention under general "
    "anaesthesia.",
    "IVa": "Life-threatening complication requiring intensive care management: single organ "
    "dysfunction (including dialysis).",
    "IVb": "Life-threatening complication requiring intensive care management: multiorgan "
    "dysfunction.",
    "V": "Death of a patient.",
}
CLAVIEN_DINDO_GRADES = tuple(CLAVIEN_DINDO)
CLAVIEN_DINDO_DEATH = "V"
# Grades IIIb and above need the operating theatre or intensive care: "major" complications.
CLAVIEN_DINDO_MAJOR = frozenset({"IIIb", "IVa", "IVb", "V"})


def check_clavien_dindo(grade: str) -> None:
    if grade not in CLAVIEN_DINDO:
        raise RuleViolation(
            "clavien_dindo", UNKNOWN_CODE, f"{grade!r} is not a Clavien-Dindo grade"
        )


def clavien_dindo_rank(grade: str) -> int:
    """The order of the grades (I lowest, V highest), for the worst of several."""
    check_clavien_dindo(grade)
    return CLAVIEN_DINDO_GRADES.index(grade)


def clavien_dindo_needs_reoperation(grade: str) -> bool:
    """IIIb means an intervention under general anaesthesia: a re-operation."""
    check_clavien_dindo(grade)
    return grade == "IIIb"


def worst_clavien_dindo(grades: list[str]) -> str | None:
    return max(grades, key=clavien_dindo_rank) if grades else None


# The windows a complication is counted in, days after the operation.
COMPLICATION_WINDOWS = (30, 90)


def complication_window(surgery_date: dt.date, onset: dt.date) -> int | None:
    """The first window (30 or 90 days) the complication's onset falls in; None outside 90
    days; a complication before its operation is impossible."""
    days = (onset - surgery_date).days
    if days < 0:
        raise RuleViolation(
            "onset_date", UNKNOWN_CODE, "a complication cannot precede its operation"
        )
    return next((w for w in COMPLICATION_WINDOWS if days <= w), None)
