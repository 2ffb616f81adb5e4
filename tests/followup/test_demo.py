import datetime as dt
import random

import pytest

from followup.models import PlannedVisit, Visit
from tests.factories.followup import participant_with_visits
from workflow.demo import followup as demo

pytestmark = pytest.mark.django_db


def test_the_demo_gives_visits_done_missed_and_overdue_and_is_safe_twice(site_a, coordinator_a):
    today = dt.date(2028, 6, 1)
    for i in range(30):
        participant_with_visits(
            site_a,
            diagnosis_date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * i),
            enrolment_date=dt.date(2026, 2, 1) + dt.timedelta(days=7 * i),
        )
    summary = demo.seed(rng=random.Random(1), today=today, participants=30)
    assert "visits done" in summary
    statuses = set(PlannedVisit.objects.values_list("status", flat=True))
    assert {"done", "missed", "open"} <= statuses
    assert Visit.objects.filter(distant_progression=True).exists()
    # A form for each visit done, none for the others.
    assert Visit.objects.count() == PlannedVisit.objects.filter(status="done").count()
    before = list(PlannedVisit.objects.order_by("pk").values_list("pk", "status", "version"))
    forms = list(Visit.objects.order_by("pk").values_list("pk", "version"))
    demo.seed(rng=random.Random(2), today=today, participants=30)
    after = list(PlannedVisit.objects.order_by("pk").values_list("pk", "status", "version"))
    assert after == before
    assert list(Visit.objects.order_by("pk").values_list("pk", "version")) == forms
