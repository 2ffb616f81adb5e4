"""Demo follow-up: past visits mostly done, some missed, some left overdue; progressions,
recurrences and deaths (death reports, through `workflow.services.record_death`); then one
reminder scan so that coordinators find their bell lit.

Everything goes through the services, as a coordinator would enter it. Participants that
already have a visit on record are left alone, so running the seed twice changes nothing.
"""

import datetime as dt
import random

from access.models import Membership
from access.roles import Role
from enrollment.models import Participant
from followup import services
from followup.models import DISTANT_SITE_CHOICES, PlannedVisit, Visit
from safety.models import DeathReport
from workflow import services as workflow

DONE_SHARE = 0.85  # of visits whose window has closed
MISSED_SHARE = 0.08  # the rest stay open: overdue
DUE_DONE_SHARE = 0.4  # of visits whose window is open today
DISTANT_PROGRESSION_SHARE = 0.25  # per participant
LOCOREGIONAL_SHARE = 0.10
DEATH_SHARE = 0.06
# Most deaths in metastatic breast cancer are from the disease.
DEATH_CAUSES = [DeathReport.Cause.BREAST_CANCER] * 8 + [
    DeathReport.Cause.TREATMENT,
    DeathReport.Cause.OTHER,
    DeathReport.Cause.UNKNOWN,
]


def _crf(
    rng: random.Random, visit: PlannedVisit, day: dt.date, previous: dt.date
) -> dict[str, object]:
    return {
        "visit_date": day,
        "outside_window_reason": "",
        "vital_status": Visit.VitalStatus.ALIVE,
        "last_known_alive": day,
        "distant_progression": False,
        "locoregional_recurrence": False,
        "systemic_therapy": rng.choice(
            ["letrozole + palbociclib", "fulvestrant", "capecitabine", "trastuzumab + pertuzumab"]
        ),
    }


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def seed(*, rng: random.Random, today: dt.date, participants: int) -> str:
    coordinators = {
        m.site_id: m.user
        for m in Membership.objects.filter(role=Role.COORDINATOR).select_related("user")
    }
    done = missed = progressions = recurrences = deaths = 0
    for participant in Participant.objects.filter(status=Participant.Status.ENROLLED).order_by(
        "pk"
    ):
        if participant.planned_visits.exclude(status=PlannedVisit.Status.OPEN).exists():
            continue
        user = coordinators.get(participant.site_id)
        services.plan_visits(participant=participant, user=user)
        progression_at = rng.random() < DISTANT_PROGRESSION_SHARE
        recurrence_at = rng.random() < LOCOREGIONAL_SHARE
        dies = rng.random() < DEATH_SHARE
        previous = participant.enrolment_date
        past = [
            v
            for v in participant.planned_visits.filter(status=PlannedVisit.Status.OPEN).order_by(
                "window_start"
            )
            if v.window_start <= today
        ]
        for index, visit in enumerate(past):
            window_open = visit.window_end >= today
            roll = rng.random()
            if window_open and roll >= DUE_DONE_SHARE:
                break
            if not window_open and roll >= DONE_SHARE:
                if roll < DONE_SHARE + MISSED_SHARE:
                    services.mark_visit_missed(
                        visit=visit,
                        user=user,
                        reason="Patient did not attend (demo).",
                        expected_version=visit.version,
                    )
                    missed += 1
                continue
            start = max(visit.window_start, participant.enrolment_date)
            day = min(_between(rng, start, visit.window_end), today)
            data = _crf(rng, visit, day, previous)
            later = index >= len(past) // 2
            if progression_at and later:
                data |= {
                    "distant_progression": True,
                    "distant_progression_date": _between(rng, previous, day),
                    "distant_progression_sites": rng.sample(
                        [code for code, _label in DISTANT_SITE_CHOICES], k=rng.randint(1, 2)
                    ),
                }
                progression_at = False
                progressions += 1
            if recurrence_at and later:
                data |= {
                    "locoregional_recurrence": True,
                    "locoregional_recurrence_date": _between(rng, previous, day),
                    "locoregional_recurrence_site": rng.choice(Visit.LocoregionalSite.values),
                }
                recurrence_at = False
                recurrences += 1
            workflow.record_visit(visit=visit, user=user, data=data, today=today)
            done += 1
            previous = day
            if dies and later:
                # She was seen alive at this visit and died within the next two months: the
                # death report closes the visits after it.
                death = _between(rng, day, min(today, day + dt.timedelta(days=60)))
                workflow.record_death(
                    report=DeathReport(
                        participant=participant,
                        death_date=death,
                        primary_cause=rng.choice(DEATH_CAUSES),
                        autopsy=DeathReport.Autopsy.NO,
                        information_source=rng.choice(DeathReport.Source.values),
                    ),
                    user=user,
                    today=today,
                )
                deaths += 1
                break
    counts = services.send_due_reminders(today=today, email=False)
    return (
        f"{done} visits done, {missed} missed, {progressions} distant progressions, "
        f"{recurrences} locoregional recurrences, {deaths} deaths; reminders "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
