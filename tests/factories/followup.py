"""Participants with planned visits, for the follow-up tests (no dependency on enrolment's
factories, which are written alongside)."""

import datetime as dt
import itertools

from access.models import Site
from enrollment.models import Participant
from followup.services import plan_visits

_sequence = itertools.count(1)

DIAGNOSIS = dt.date(2026, 1, 5)
ENROLMENT = dt.date(2026, 2, 1)


def participant(
    site: Site,
    *,
    diagnosis_date: dt.date = DIAGNOSIS,
    enrolment_date: dt.date = ENROLMENT,
    status: str = Participant.Status.ENROLLED,
) -> Participant:
    n = next(_sequence)
    return Participant.objects.create(
        site=site,
        study_id=f"{site.code}-{n:05d}",
        sequence=n,
        diagnosis_date=diagnosis_date,
        enrolment_date=enrolment_date,
        status=status,
    )


def participant_with_visits(site: Site, user=None, **kwargs) -> Participant:  # type: ignore[no-untyped-def]
    p = participant(site, **kwargs)
    plan_visits(participant=p, user=user)
    return p
