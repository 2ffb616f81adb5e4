import datetime as dt
import random

import pytest

from access.demo import seed_sites_and_users
from access.models import Site
from assessments.models import Baseline, ResponseAssessment, Surgery, TherapyLine
from tests.factories import assessments as f
from workflow.demo import assessments as demo

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def _participants(n=12):
    seed_sites_and_users()
    sites = list(Site.objects.all())
    for i in range(n):
        f.participant(
            sites[i % len(sites)],
            diagnosis_date=TODAY - dt.timedelta(days=40 + 30 * i),
            enrolment_date=TODAY - dt.timedelta(days=20 + 30 * i),
        )


def _snapshot():
    return list(
        ResponseAssessment.objects.order_by("participant__study_id", "assessment_date").values_list(
            "participant__study_id", "assessment_date", "primary_response", "metastatic_response"
        )
    )


def test_seed_gives_each_participant_a_baseline_and_therapy_and_is_idempotent():
    _participants()
    summary = demo.seed(rng=random.Random(1), today=TODAY, participants=12)
    assert Baseline.objects.count() == 12
    assert TherapyLine.objects.filter(line_number=1).count() == 12
    assert ResponseAssessment.objects.completed().count() >= 10
    assert "12 baselines" in summary
    before = (_snapshot(), Surgery.objects.count(), TherapyLine.objects.count())
    assert demo.seed(rng=random.Random(1), today=TODAY, participants=12).startswith("0 baselines")
    assert (_snapshot(), Surgery.objects.count(), TherapyLine.objects.count()) == before


def test_seed_is_deterministic():
    _participants()
    demo.seed(rng=random.Random(7), today=TODAY, participants=12)
    first = _snapshot()
    for model in (ResponseAssessment,):
        assert model.objects.exists()
    # Same participants and seed, fresh data: the same assessments.
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            # The completed assessments proposed arms (workflow.services.save_assessment).
            "arms_armassignment",
            "assessments_lesionmeasurement",
            "assessments_responseassessment",
            "assessments_surgery",
            "assessments_therapyline",
            "assessments_baselinelesion",
            "assessments_baseline",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    demo.seed(rng=random.Random(7), today=TODAY, participants=12)
    assert _snapshot() == first
