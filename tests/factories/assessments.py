"""Factories for the assessments tests: a participant and a baseline built through the services."""

import datetime as dt
from decimal import Decimal

from assessments import services
from assessments.models import Baseline, BaselineLesion, ResponseAssessment
from enrollment.models import Participant
from tests.factories.enrollment import DIRECT_DIAGNOSIS, DIRECT_ENROLMENT
from tests.factories.enrollment import participant as participant  # the one participant factory
from workflow import services as workflow

DIAGNOSIS = DIRECT_DIAGNOSIS
ENROLMENT = DIRECT_ENROLMENT
BASELINE_DATE = dt.date(2026, 1, 20)
TODAY = dt.date(2026, 11, 26)


def lesion(
    organ_site: str, kind: str = "target", mm: str | None = "20", **kwargs
) -> BaselineLesion:
    return BaselineLesion(
        organ_site=organ_site,
        kind=kind,
        baseline_mm=None if mm is None else Decimal(mm),
        description=kwargs.pop("description", f"{organ_site} lesion"),
        **kwargs,
    )


def baseline(participant: Participant, user, lesions=None, **kwargs) -> Baseline:
    """A baseline with, by default, a 30 mm breast target and a 20 mm liver target."""
    fields = {
        "baseline_date": BASELINE_DATE,
        "histology": Baseline.Histology.DUCTAL_NST,
        "grade": 2,
        "er_percent": 80,
        "pr_percent": 40,
        "her2_ihc": "1+",
        "her2_ish": "not_done",
        "ki67_percent": 20,
        "clinical_t": "cT2",
        "clinical_n": "cN1",
        "distant_m": "cM1",
        "menopausal_status": "post",
        "germline_brca": "not_tested",
    }
    record = Baseline(participant=participant, **{**fields, **kwargs})
    if lesions is None:
        lesions = [lesion("breast", mm="30"), lesion("liver", mm="20")]
    return services.baseline_save(baseline=record, lesions=lesions, user=user, today=TODAY)


def assessment(
    participant: Participant,
    user,
    entries: dict,
    *,
    date: dt.date,
    complete: bool = True,
    primary_new: bool = False,
    metastatic_new: bool = False,
) -> ResponseAssessment:
    record = ResponseAssessment(
        participant=participant,
        assessment_date=date,
        modality=ResponseAssessment.Modality.CT,
        primary_new_lesions=primary_new,
        metastatic_new_lesions=metastatic_new,
    )
    return workflow.save_assessment(
        assessment=record, entries=entries, complete=complete, user=user, today=TODAY
    )


def mm(value: str | float) -> services.LesionEntry:
    return services.LesionEntry(current_mm=Decimal(str(value)))


def status(value: str) -> services.LesionEntry:
    return services.LesionEntry(status=value)
