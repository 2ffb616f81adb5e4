"""Factories for the arms tests: participants whose completed assessments give chosen responses.

Assessments are made through `assessments.services`, so completing one proposes an arm exactly
as in production.
"""

import datetime as dt
from decimal import Decimal

from access.models import Site
from assessments import recist, services
from assessments.models import BaselineLesion, ResponseAssessment, Surgery, TherapyLine
from enrollment.models import Participant
from tests.factories import assessments as af

# The default baseline: a 30 mm breast target (primary) and a 20 mm liver target (metastases).
# Each response is reached from that baseline by a size (PD: +50 %, well over +20 % and +5 mm).
_SIZE_FACTOR = {
    recist.CR: Decimal("0"),
    recist.PR: Decimal("0.5"),
    recist.SD: Decimal("0.95"),
    recist.PD: Decimal("1.5"),
}


def participant_with_baseline(site: Site, user, **kwargs) -> Participant:
    participant = af.participant(site, **kwargs)
    af.baseline(participant, user)
    return participant


def _entry(response: str, lesion: BaselineLesion) -> services.LesionEntry:
    if response == recist.NE:
        return services.LesionEntry(status=recist.NOT_EVALUATED)
    return services.LesionEntry(current_mm=lesion.baseline_mm * _SIZE_FACTOR[response])


def completed_assessment(
    participant: Participant,
    user,
    *,
    primary: str,
    metastatic: str,
    date: dt.date = dt.date(2026, 5, 4),
    complete: bool = True,
) -> ResponseAssessment:
    """A completed assessment whose overall responses are `primary` and `metastatic`."""
    lesions = {
        lesion.compartment: lesion
        for lesion in BaselineLesion.objects.filter(baseline__participant=participant)
    }
    entries = {
        lesions["primary"].pk: _entry(primary, lesions["primary"]),
        lesions["metastatic"].pk: _entry(metastatic, lesions["metastatic"]),
    }
    return af.assessment(participant, user, entries, date=date, complete=complete)


def surgery(participant: Participant, user, procedure: str, date: dt.date) -> Surgery:
    record = Surgery(participant=participant, procedure=procedure, surgery_date=date)
    if procedure == Surgery.Procedure.METASTASIS_RESECTION:
        record.metastasis_site = "liver"
    else:
        record.ypt, record.ypn, record.residual_invasive_disease = "ypT1c", "ypN0", True
    return services.surgery_save(surgery=record, user=user, today=af.TODAY)


def therapy_line(
    participant: Participant, user, start: dt.date, line_number: int = 1
) -> TherapyLine:
    line = TherapyLine(
        participant=participant,
        line_number=line_number,
        category=TherapyLine.Category.CHEMOTHERAPY,
        agents="Docetaxel",
        start_date=start,
    )
    return services.therapy_line_save(line=line, user=user, today=af.TODAY)
