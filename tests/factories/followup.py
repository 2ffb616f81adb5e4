"""Participants with planned visits, for the follow-up tests."""

import datetime as dt

from access.models import Site
from enrollment.models import Participant
from followup.services import plan_visits
from tests.factories.enrollment import DIRECT_DIAGNOSIS, DIRECT_ENROLMENT, participant

DIAGNOSIS: dt.date = DIRECT_DIAGNOSIS
ENROLMENT: dt.date = DIRECT_ENROLMENT

__all__ = ["DIAGNOSIS", "ENROLMENT", "participant", "participant_with_visits"]


def participant_with_visits(site: Site, user=None, **kwargs) -> Participant:  # type: ignore[no-untyped-def]
    p = participant(site, **kwargs)
    plan_visits(participant=p, user=user)
    return p
