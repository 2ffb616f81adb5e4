"""Safety records for tests: written straight to the database (the services are tested on
their own in tests/safety)."""

import datetime as dt
from decimal import Decimal

from enrollment.models import Participant
from safety.models import AdverseEvent, CtcaeTerm, Radiotherapy, SaeFollowUp

OTHER_GI = "Gastrointestinal disorders - Other, specify"


def term(name: str) -> CtcaeTerm:
    return CtcaeTerm.objects.get(term=name)


def serious_event(
    participant: Participant,
    *,
    term_name: str = OTHER_GI,
    grade: int = 3,
    surgery=None,
    aware_at: dt.datetime | None = None,
) -> AdverseEvent:
    onset = participant.enrolment_date + dt.timedelta(days=3)
    return AdverseEvent.objects.create(
        participant=participant,
        term=term(term_name),
        other_specify="colic" if term_name.endswith("Other, specify") else "",
        grade=grade,
        onset_date=onset,
        ongoing=True,
        hospitalisation=True,
        serious=True,
        aware_at=aware_at or dt.datetime.combine(onset, dt.time(9), tzinfo=dt.UTC),
        outcome="not_recovered",
        surgery=surgery,
        clavien_dindo="II" if surgery else "",
    )


def follow_up(event: AdverseEvent) -> SaeFollowUp:
    return SaeFollowUp.objects.create(
        adverse_event=event,
        report_date=event.onset_date + dt.timedelta(days=2),
        outcome="recovering",
        narrative="Improving on antibiotics.",
    )


def radiotherapy(participant: Participant) -> Radiotherapy:
    start = participant.enrolment_date + dt.timedelta(days=10)
    return Radiotherapy.objects.create(
        participant=participant,
        treated_site=Radiotherapy.Site.BONE,
        dose_gy=Decimal("8.00"),
        fractions=1,
        start_date=start,
        end_date=start,
    )
