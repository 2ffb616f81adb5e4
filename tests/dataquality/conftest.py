import datetime as dt

import pytest

from assessments.models import TherapyLine
from tests.factories import arms as arms_factories
from tests.factories.enrollment import enrolled_participant


@pytest.fixture
def participant(site_a, coordinator_a):
    return enrolled_participant(site_a, coordinator_a)


@pytest.fixture
def therapy(participant, coordinator_a) -> TherapyLine:
    """A systemic therapy line at site A, in draft."""
    return arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)


@pytest.fixture
def later():
    return dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
