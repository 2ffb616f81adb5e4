"""Demo safety data: adverse events of the trial's treatments (chemotherapy, endocrine,
anti-HER2 and CDK4/6 therapy, surgery), some serious, assessed by the site's investigator and
followed up to resolution; surgical complications with their Clavien-Dindo grade; radiotherapy.

Everything goes through the services, as the site would enter it. A participant who already
has an adverse event or a radiotherapy course is left alone, and each participant's draws are
her own, so running the seed twice changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from access.demo import DEMO_PASSWORD
from access.models import Membership
from access.roles import Role
from enrollment.models import Participant
from safety import services
from safety.models import AdverseEvent, CtcaeTerm, Radiotherapy, SaeFollowUp

EVENT_SHARE = 0.6  # participants with at least one adverse event
COMPLICATION_SHARE = 0.25  # of the operated
SAE_SHARE = 0.3  # of the events of grade 3 or 4
RADIOTHERAPY_SHARE = 0.2

# Terms the trial's treatments commonly cause, with the grades they are usually reported at.
SYSTEMIC_TERMS = {
    "Neutrophil count decreased": (2, 3, 3, 4),
    "Febrile neutropenia": (3, 3, 4),
    "Fatigue": (1, 1, 2),
    "Nausea": (1, 2),
    "Diarrhea": (1, 2, 3),
    "Alopecia": (1, 2),
    "Hot flashes": (1, 2),
    "Arthralgia": (1, 2),
    "Peripheral sensory neuropathy": (1, 2, 3),
    "Anemia": (1, 2, 3),
    "Ejection fraction decreased": (2, 3),
    "Mucositis oral": (1, 2, 3),
}
SURGICAL_TERMS = {
    "Wound infection": ("I", "II", "IIIa"),
    "Seroma": ("I", "IIIa"),
    "Hematoma": ("II", "IIIb"),
    "Lymphedema": ("I", "II"),
}
# CTCAE grade a complication of each Clavien-Dindo grade is usually given.
CLAVIEN_TO_GRADE = {"I": 1, "II": 2, "IIIa": 3, "IIIb": 3}


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _aware(onset: dt.date, rng: random.Random) -> dt.datetime:
    # The site learns of the event on its day or the next, during the working day (UTC+8).
    day = onset + dt.timedelta(days=rng.randint(0, 1))
    return dt.datetime.combine(day, dt.time(rng.randint(1, 9), rng.choice((0, 15, 30))), dt.UTC)


def _relationships(
    participant: Participant, rng: random.Random, *, surgical: bool
) -> dict[str, str]:
    surgeries, systemic = services.received_interventions(participant)
    values: dict[str, str] = {}
    if surgeries:
        values["relationship_surgery_1"] = "probable" if surgical else "not_related"
    if len(surgeries) > 1:
        values["relationship_surgery_2"] = "unlikely"
    if systemic:
        values["relationship_systemic"] = (
            "not_related" if surgical else rng.choice(("possible", "probable", "definite"))
        )
    return values


def seed(*, rng: random.Random, today: dt.date, participants: int) -> str:
    staff = {
        (m.site_id, m.role): m.user
        for m in Membership.objects.filter(
            role__in=[Role.COORDINATOR, Role.INVESTIGATOR]
        ).select_related("user")
    }
    terms = {
        t.term: t for t in CtcaeTerm.objects.filter(term__in=[*SYSTEMIC_TERMS, *SURGICAL_TERMS])
    }
    now = dt.datetime.combine(today, dt.time(12), dt.UTC)
    events = serious = complications = courses = 0
    for participant in Participant.objects.select_related("site").order_by("pk"):
        if (
            AdverseEvent.objects.filter(participant=participant).exists()
            or Radiotherapy.objects.filter(participant=participant).exists()
        ):
            continue
        # Each participant's own draw, so that one given nothing the first time is given
        # nothing again (the seed's stream differs on a second run).
        rng = random.Random(f"{participant.study_id}:safety")  # noqa: S311 - demo data
        coordinator = staff.get((participant.site_id, Role.COORDINATOR))
        investigator = staff.get((participant.site_id, Role.INVESTIGATOR))
        death = getattr(getattr(participant, "death_report", None), "death_date", None)
        last = min(today - dt.timedelta(days=1), death or today)
        if coordinator is None or last <= participant.enrolment_date:
            continue
        planned: list[AdverseEvent] = []
        if rng.random() < EVENT_SHARE:
            for name in rng.sample(sorted(SYSTEMIC_TERMS), k=rng.randint(1, 3)):
                onset = _between(rng, participant.enrolment_date, last)
                planned.append(
                    AdverseEvent(
                        participant=participant,
                        term=terms[name],
                        grade=rng.choice(SYSTEMIC_TERMS[name]),
                        onset_date=onset,
                        **_relationships(participant, rng, surgical=False),
                    )
                )
        for surgery in participant.surgeries.order_by("surgery_date"):
            if rng.random() >= COMPLICATION_SHARE or surgery.surgery_date >= last:
                continue
            name = rng.choice(sorted(SURGICAL_TERMS))
            clavien = rng.choice(SURGICAL_TERMS[name])
            onset = _between(
                rng, surgery.surgery_date, min(last, surgery.surgery_date + dt.timedelta(days=30))
            )
            planned.append(
                AdverseEvent(
                    participant=participant,
                    term=terms[name],
                    grade=CLAVIEN_TO_GRADE[clavien],
                    onset_date=onset,
                    surgery=surgery,
                    clavien_dindo=clavien,
                    reoperation=clavien == "IIIb",
                    hospitalisation=clavien == "IIIb",
                    **_relationships(participant, rng, surgical=True),
                )
            )
        for event in planned:
            grade = event.grade or 1
            if grade >= 3 and not event.hospitalisation and rng.random() < SAE_SHARE:
                event.hospitalisation = True
            resolved = rng.random() < 0.7 and event.onset_date + dt.timedelta(days=21) < last
            event.ongoing = not resolved
            event.outcome = "recovered" if resolved else "recovering"
            if resolved:
                event.resolution_date = event.onset_date + dt.timedelta(days=rng.randint(3, 21))
            if event.hospitalisation:
                event.aware_at = min(_aware(event.onset_date, rng), now)
            event.action_taken = rng.choice(
                [c for c in AdverseEvent.ActionTaken.values if c != "withdrawn"]
            )
            services.adverse_event_save(event=event, user=coordinator, now=now)
            events += 1
            complications += event.surgery_id is not None
            if not event.serious:
                continue
            serious += 1
            if investigator is not None and rng.random() < 0.8:
                services.assess_causality(
                    event=event,
                    user=investigator,
                    password=DEMO_PASSWORD,
                    entry=services.CausalityEntry(
                        event.relationship_surgery_1,
                        event.relationship_surgery_2,
                        event.relationship_systemic,
                        expected=rng.random() < 0.8,
                    ),
                    expected_version=event.version,
                    now=event.aware_at + dt.timedelta(hours=rng.randint(2, 30))
                    if event.aware_at
                    else None,
                )
            if resolved and event.resolution_date is not None:
                services.follow_up_save(
                    follow_up=SaeFollowUp(
                        adverse_event=event,
                        report_date=event.resolution_date,
                        outcome="recovered",
                        resolution_date=event.resolution_date,
                        narrative="Discharged; the event resolved (demo).",
                    ),
                    user=coordinator,
                    today=today,
                )
        if rng.random() < RADIOTHERAPY_SHARE:
            bone = rng.random() < 0.6
            start = _between(rng, participant.enrolment_date, last)
            dose, fractions = (
                rng.choice(((Decimal("8.00"), 1), (Decimal("30.00"), 10)))
                if bone
                else (Decimal("50.00"), 25)
            )
            end = min(start + dt.timedelta(days=fractions * 7 // 5), last)
            services.radiotherapy_save(
                course=Radiotherapy(
                    participant=participant,
                    treated_site=Radiotherapy.Site.BONE if bone else Radiotherapy.Site.CHEST_WALL,
                    dose_gy=dose,
                    fractions=fractions,
                    start_date=start,
                    end_date=end if end >= start else start,
                ),
                user=coordinator,
                today=today,
            )
            courses += 1
    return (
        f"{events} adverse events ({serious} serious, {complications} surgical complications), "
        f"{courses} radiotherapy courses"
    )
