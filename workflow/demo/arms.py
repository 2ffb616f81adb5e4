"""Demo arm assignments: most proposals signed, a few overridden with reasons, some pending.

Runs after the assessments seeding, whose completed assessments already made their proposals
(`workflow.services.save_assessment` proposes the arm). Each decision is drawn from a generator
seeded with the assessment itself, so a second run leaves the same proposals pending instead
of signing them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import cast

from django.utils import timezone

from access.models import Site
from arms.models import ArmAssignment
from arms.rules import ARMS
from arms.services import investigators_of_site, sign_decision
from exports.derived import refresh_outcomes

PENDING_SHARE = 0.15
OVERRIDE_SHARE = 0.06
OVERRIDE_REASONS = (
    "Metastasis judged not resectable at the tumour board; systemic therapy preferred.",
    "Patient declined surgery after counselling; regimen changed instead.",
    "Residual lesion on MRI judged CR by the radiology review; treated as complete remission.",
    "Comorbidity (cardiac) contraindicates general anaesthesia.",
)


def seed(*, rng: random.Random, today: dt.date, participants: int) -> str:
    counts: Counter[str] = Counter()
    signed: set[int] = set()
    signers = {site.pk: investigators_of_site(site.pk) for site in Site.objects.all()}
    # Each participant's latest assessment date (the last value per key wins).
    latest = dict(
        ArmAssignment.objects.order_by("participant_id", "assessment_date").values_list(
            "participant_id", "assessment_date"
        )
    )
    pending = ArmAssignment.objects.filter(status=ArmAssignment.Status.PENDING).select_related(
        "participant"
    )
    for assignment in pending.order_by("participant__study_id", "assessment_date"):
        own = random.Random(f"arms-{assignment.participant.study_id}-{assignment.assessment_date}")
        investigators = signers.get(assignment.participant.site_id) or []
        is_latest = latest[assignment.participant_id] == assignment.assessment_date
        # Only a participant's latest proposal waits: an investigator signs in order.
        if not investigators or (is_latest and own.random() < PENDING_SHARE):
            counts["pending"] += 1
            continue
        # A rule's proposal has its arm.
        arm = cast(int, assignment.proposed_arm)
        reason = ""
        if own.random() < OVERRIDE_SHARE:
            arm = own.choice([n for n in ARMS if n != assignment.proposed_arm])
            reason = own.choice(OVERRIDE_REASONS)
        sign_decision(
            assignment=assignment,
            user=investigators[0],
            arm=arm,
            override_reason=reason,
            expected_version=assignment.version,
            signed_at=_signed_at(assignment.assessment_date, own, today),
        )
        counts["overridden" if reason else "confirmed"] += 1
        signed.add(assignment.participant_id)
    # Signed by the arms service itself (with a chosen time), not the use case: the
    # participants' first and current arms are refreshed here, as the use case would.
    refresh_outcomes(participant_ids=signed)
    counts["not evaluable"] = ArmAssignment.objects.filter(
        status=ArmAssignment.Status.NOT_EVALUABLE
    ).count()
    return ", ".join(f"{n} {key}" for key, n in counts.items())


def _signed_at(assessment_date: dt.date, rng: random.Random, today: dt.date) -> dt.datetime:
    """A working hour a few days after the assessment (never after today)."""
    day = min(assessment_date + dt.timedelta(days=rng.randint(1, 10)), today)
    local = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    return min(timezone.make_aware(local), timezone.now())
