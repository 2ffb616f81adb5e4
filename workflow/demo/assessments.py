"""Demo data: each enrolled participant gets a baseline, systemic therapy, one to three response
assessments and, where the arm calls for it, surgery, all written through the services.

Deterministic and idempotent: each participant draws from its own generator, seeded from one
number taken from the shared `rng` and its study ID, so participants already seeded (skipped on
a second run) do not shift anyone else's data.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from access.models import User
from access.roles import Role
from arms import rules as arm_rules
from assessments import recist, services
from assessments.models import Baseline, BaselineLesion, ResponseAssessment, Surgery, TherapyLine
from enrollment.models import Participant
from workflow import services as workflow

# Where de novo metastases are found, roughly by frequency; bone is seldom measurable.
METASTATIC_SITES = (
    ("bone", 6),
    ("liver", 3),
    ("lung", 3),
    ("distant_lymph_node", 2),
    ("pleura", 1),
    ("skin_soft_tissue", 1),
)
NON_MEASURABLE_SITES = {"bone", "pleura"}
ASSESSMENT_INTERVAL_DAYS = 63  # every nine weeks
REGIMENS = {
    "hr_positive": ("endocrine", "letrozole + palbociclib"),
    "her2_positive": ("targeted", "trastuzumab + pertuzumab + docetaxel"),
    "triple_negative": ("chemotherapy", "nab-paclitaxel + carboplatin"),
}
SECOND_LINE = ("chemotherapy", "capecitabine")


def seed(*, rng: random.Random, today: dt.date, participants: int) -> str:
    base = rng.getrandbits(32)
    coordinators: dict[int, Any] = {}
    counts = {"baselines": 0, "assessments": 0, "surgeries": 0}
    queryset = Participant.objects.filter(status=Participant.Status.ENROLLED).exclude(
        baseline__isnull=False
    )
    for participant in queryset.select_related("site").order_by("study_id"):
        site_id = participant.site_id
        if site_id not in coordinators:
            coordinators[site_id] = (
                User.objects.filter(
                    memberships__site_id=site_id, memberships__role=Role.COORDINATOR
                )
                .order_by("pk")
                .first()
            )
        prng = random.Random(f"{base}:{participant.study_id}")
        made = _seed_participant(participant, prng, today, coordinators[site_id])
        for key, n in made.items():
            counts[key] += n
    return ", ".join(f"{n} {key}" for key, n in counts.items())


def _metastatic_sites(participant: Participant, rng: random.Random) -> list[str]:
    """The screening's metastatic sites when enrolment recorded them, else a plausible draw."""
    screening = getattr(participant, "screening", None)
    sites = sorted(getattr(screening, "metastatic_sites", None) or [])
    if sites:
        return sites[:3]
    names, weights = zip(*METASTATIC_SITES, strict=True)
    drawn = rng.choices(names, weights=weights, k=rng.randint(1, 3))
    return sorted(set(drawn))


def _seed_participant(
    participant: Participant, rng: random.Random, today: dt.date, user: Any
) -> dict[str, int]:
    baseline_date = min(
        participant.diagnosis_date + dt.timedelta(days=rng.randint(3, 20)),
        participant.enrolment_date,
        today,
    )
    subtype = rng.choices(["hr_positive", "her2_positive", "triple_negative"], [6, 2, 2])[0]
    baseline = Baseline(
        participant=participant,
        baseline_date=baseline_date,
        histology=rng.choices([c[0] for c in Baseline.Histology.choices], [8, 2, 1, 1])[0],
        grade=rng.choice([1, 2, 2, 3, 3]),
        er_percent=rng.choice([60, 80, 90, 95])
        if subtype == "hr_positive"
        else rng.choice([0, 0, 5]),
        pr_percent=rng.choice([0, 5, 30, 70]) if subtype == "hr_positive" else 0,
        her2_ihc="3+" if subtype == "her2_positive" else rng.choice(["0", "1+", "2+"]),
        her2_ish="positive" if subtype == "her2_positive" else "not_done",
        ki67_percent=rng.choice([10, 20, 30, 50, 70]),
        clinical_t=rng.choice(["cT1", "cT2", "cT2", "cT3", "cT4b"]),
        clinical_n=rng.choice(["cN0", "cN1", "cN1", "cN2a", "cN3a"]),
        distant_m=rng.choice(["cM1", "pM1"]),
        menopausal_status=rng.choice(["pre", "peri", "post", "post"]),
        germline_brca=rng.choice(["not_tested", "negative", "negative", "brca1", "brca2"]),
    )
    if baseline.her2_ihc == "2+":
        baseline.her2_ish = "negative"
    lesions = [
        _lesion("breast", "target", Decimal(rng.randint(20, 60)), "breast primary"),
    ]
    if baseline.clinical_n != "cN0":
        node_mm = Decimal(rng.randint(10, 28))
        kind = "target" if node_mm >= 15 else "non_target"
        lesions.append(_lesion("regional_node", kind, node_mm, "axillary node"))
    for organ in _metastatic_sites(participant, rng):
        if organ in NON_MEASURABLE_SITES:
            lesions.append(_lesion(organ, "non_target", None, organ.replace("_", " ")))
        else:
            low = 15 if organ == "distant_lymph_node" else 10
            mm = Decimal(rng.randint(low, 40))
            lesions.append(_lesion(organ, "target", mm, organ.replace("_", " ")))
    workflow.save_baseline(baseline=baseline, lesions=lesions, user=user, today=today)

    category, agents = REGIMENS[subtype]
    start = min(baseline_date + dt.timedelta(days=rng.randint(3, 14)), today)
    first_line = TherapyLine(
        participant=participant, line_number=1, category=category, agents=agents, start_date=start
    )
    services.therapy_line_save(line=first_line, user=user, today=today)

    made = {"baselines": 1, "assessments": 0, "surgeries": 0}
    last = None
    # How strongly each compartment answers the therapy: a factor per assessment.
    shrink = {"primary": rng.uniform(0.2, 1.15), "metastatic": rng.uniform(0.2, 1.2)}
    sizes = {lesion.pk: lesion.baseline_mm for lesion in lesions}
    cleared: dict[str, bool] = {}
    for k in range(1, rng.randint(1, 3) + 1):
        when = start + dt.timedelta(days=ASSESSMENT_INTERVAL_DAYS * k + rng.randint(-7, 7))
        if when > today:
            break
        # A compartment that answers well may clear completely (the trial's question), and
        # then stays clear.
        cleared = {c: cleared.get(c) or (f < 0.5 and rng.random() < 0.6) for c, f in shrink.items()}
        entries = {}
        for lesion in lesions:
            factor = shrink[lesion.compartment]
            if lesion.is_target:
                size = Decimal(round(float(sizes[lesion.pk]) * factor, 0))
                if cleared[lesion.compartment]:
                    size = Decimal(rng.randint(4, 9)) if lesion.nodal else Decimal(0)
                sizes[lesion.pk] = size
                entries[lesion.pk] = services.LesionEntry(current_mm=size)
            else:
                status = recist.ABSENT if cleared[lesion.compartment] else recist.PRESENT
                if factor > 1.15 and rng.random() < 0.5:
                    status = recist.PROGRESSION
                entries[lesion.pk] = services.LesionEntry(status=status)
        assessment = ResponseAssessment(
            participant=participant,
            assessment_date=when,
            modality=rng.choice(["ct", "ct", "pet_ct", "mri"]),
            metastatic_new_lesions=rng.random() < 0.05,
        )
        last = workflow.save_assessment(
            assessment=assessment, entries=entries, complete=True, user=user, today=today
        )
        made["assessments"] += 1
        if last.metastatic_response == recist.PD or last.primary_response == recist.PD:
            break

    if last is None:
        return made
    if recist.PD in (last.primary_response, last.metastatic_response):
        first_line.stop_date = last.assessment_date
        first_line.reason_stopped = TherapyLine.StopReason.PROGRESSION
        services.therapy_line_save(
            line=first_line,
            user=user,
            reason="Progression",
            expected_version=first_line.version,
            today=today,
        )
        second = TherapyLine(
            participant=participant,
            line_number=2,
            category=SECOND_LINE[0],
            agents=SECOND_LINE[1],
            start_date=min(last.assessment_date + dt.timedelta(days=rng.randint(3, 14)), today),
        )
        services.therapy_line_save(line=second, user=user, today=today)
        return made
    arm = arm_rules.assign_arm(last.primary_response, last.metastatic_response)
    surgery_date = last.assessment_date + dt.timedelta(days=rng.randint(21, 42))
    if arm is None or arm.intervention == arm_rules.SYSTEMIC or surgery_date > today:
        return made
    if arm.intervention == arm_rules.SURGERY_1:
        pcr = last.primary_response == recist.CR and rng.random() < 0.6
        ypt = rng.choice(["ypT0", "ypTis"]) if pcr else rng.choice(["ypT1a", "ypT1c", "ypT2"])
        surgery = Surgery(
            participant=participant,
            procedure=rng.choice(["mastectomy", "breast_conserving"]),
            surgery_date=surgery_date,
            ypt=ypt,
            ypn="ypN0" if pcr or rng.random() < 0.5 else "ypN1a",
            residual_invasive_disease=not pcr,
        )
    else:
        # The resected metastasis: a measurable one where there is one.
        metastases = [lesion for lesion in lesions if lesion.compartment == "metastatic"]
        organ = min(metastases, key=lambda lesion: not lesion.is_target).organ_site
        surgery = Surgery(
            participant=participant,
            procedure="metastasis_resection",
            metastasis_site=organ,
            surgery_date=surgery_date,
        )
    services.surgery_save(surgery=surgery, user=user, today=today)
    made["surgeries"] += 1
    return made


def _lesion(organ: str, kind: str, mm: Decimal | None, description: str) -> BaselineLesion:
    return BaselineLesion(organ_site=organ, kind=kind, baseline_mm=mm, description=description)
