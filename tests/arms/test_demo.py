"""The demo seeding signs in order, overrides with reasons, and is stable when run twice."""

import datetime as dt
import random

import pytest

from arms.models import ArmAssignment
from assessments import recist
from tests.factories import arms as f
from workflow.demo import arms as demo

pytestmark = pytest.mark.django_db


def test_seed_signs_all_but_some_latest_proposals_and_is_stable(
    site_a, coordinator_a, investigator_a
):
    for _ in range(12):
        participant = f.participant_with_baseline(site_a, coordinator_a)
        for month, (p, m) in ((3, (recist.SD, recist.PR)), (6, (recist.PR, recist.CR))):
            f.completed_assessment(
                participant, coordinator_a, primary=p, metastatic=m, date=dt.date(2026, month, 2)
            )

    summary = demo.seed(rng=random.Random(1), today=dt.date(2026, 11, 26), participants=12)

    assert "confirmed" in summary
    earlier = ArmAssignment.objects.filter(assessment_date=dt.date(2026, 3, 2))
    assert all(a.is_signed for a in earlier)
    for a in ArmAssignment.objects.filter(status=ArmAssignment.Status.OVERRIDDEN):
        assert a.override_reason in demo.OVERRIDE_REASONS
        assert a.confirmed_arm != a.proposed_arm
    for a in ArmAssignment.objects.exclude(status=ArmAssignment.Status.PENDING):
        assert a.signature.signer == investigator_a
        assert a.signature.signed_at.date() > a.assessment_date
    before = list(ArmAssignment.objects.values_list("pk", "status", "version"))

    demo.seed(rng=random.Random(2), today=dt.date(2026, 11, 26), participants=12)

    assert list(ArmAssignment.objects.values_list("pk", "status", "version")) == before
