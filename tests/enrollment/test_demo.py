import datetime as dt
import random
import time

import pytest

from access.demo import seed_sites_and_users
from enrollment.models import Participant, Screening
from workflow.demo import enrollment as demo

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 1)


def _snapshot():
    return list(
        Screening.objects.order_by("pk").values_list(
            "site__code", "screening_date", "status", "failed_criteria", "initials"
        )
    )


def test_demo_screens_fails_and_enrols_through_the_services():
    seed_sites_and_users()
    started = time.perf_counter()
    summary = demo.seed(rng=random.Random(1), today=TODAY, participants=40)
    elapsed = time.perf_counter() - started
    assert Participant.objects.count() == 40
    failed = Screening.objects.filter(status="screen_failed")
    assert 0.15 <= failed.count() / Screening.objects.count() <= 0.25
    assert failed.exclude(failed_criteria=[]).exists()
    assert Screening.objects.filter(status="in_screening").count() == 4
    assert "40 enrolled" in summary
    study_ids = sorted(
        Participant.objects.filter(site__code="CH").values_list("sequence", flat=True)
    )
    assert study_ids == list(range(1, len(study_ids) + 1))
    assert Participant.objects.first().history.first().history_user is not None
    assert elapsed < 10


def test_demo_is_deterministic_and_idempotent():
    seed_sites_and_users()
    demo.seed(rng=random.Random(7), today=TODAY, participants=10)
    first = _snapshot()
    assert "nothing done" in demo.seed(rng=random.Random(7), today=TODAY, participants=10)
    assert _snapshot() == first
