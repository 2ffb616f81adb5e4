"""A small trial across two sites, built through the apps' own factories and services where they
exist, with follow-up CRFs written directly: the shared data of the exports and reports tests."""

import datetime as dt
from dataclasses import dataclass

from arms import services as arm_services
from arms.models import ArmAssignment
from assessments import recist
from enrollment import services as enrollment_services
from enrollment.models import OffStudy, Participant, Screening
from exports import derived
from followup.models import PlannedVisit, Visit
from followup.services import plan_visits
from safety.models import AdverseEvent, CtcaeTerm, DeathReport, Radiotherapy
from tests.factories import arms as arm_factories
from tests.factories.access import PASSWORD
from tests.factories.enrollment import ScreeningFactory, enrolled_participant

D = dt.date


_numbers = iter(range(901, 10**6))


def participant_with_visits(site, user, *, diagnosis_date, enrolment_date) -> Participant:
    """A participant outside the screening workflow (sequence 901 on, clear of the enrolment
    service's counter), with the visits the schedule plans."""
    n = next(_numbers)
    participant = Participant.objects.create(
        site=site,
        study_id=f"{site.code}-{n:04d}",
        sequence=n,
        diagnosis_date=diagnosis_date,
        enrolment_date=enrolment_date,
    )
    plan_visits(participant=participant, user=user)
    derived.refresh_outcomes(participant_ids=[participant.pk])  # as `workflow.services.enrol`
    return participant


@dataclass
class Trial:
    enrolled: Participant  # through screening and enrolment, site A
    failed: Screening  # a screen failure, site A
    dead: Participant  # assessed, arm 1 signed, then arm 4 signed, progressed and died, site A
    alive: Participant  # two done visits, no event, site A
    other_site: Participant  # site B


def _done(participant: Participant, code: str, **fields) -> None:
    """The planned visit `code` done, with its visit form."""
    slot = PlannedVisit.objects.get(participant=participant, code=code)
    PlannedVisit.objects.filter(pk=slot.pk).update(status=PlannedVisit.Status.DONE)
    slot.refresh_from_db()
    form = Visit(participant=participant, planned_visit=slot, **fields)
    form.carry_slot(slot)  # as `followup.services.record_visit` does
    form.save()


def _sign(assignment: ArmAssignment, investigator) -> None:
    assignment.refresh_from_db()
    arm_services.assignment_confirm(
        assignment=assignment,
        user=investigator,
        password=PASSWORD,
        expected_version=assignment.version,
    )


def build_trial(site_a, site_b, coordinator_a, investigator_a, coordinator_b) -> Trial:
    enrolled = enrolled_participant(site_a, coordinator_a, initials="XY", hospital_number="H777")
    failed = ScreeningFactory(
        site=site_a, initials="ZZ", hospital_number="H999", stage_iv_at_diagnosis=False
    )
    enrollment_services.screen_fail(screening=failed, user=coordinator_a)

    dead = participant_with_visits(
        site_a, coordinator_a, diagnosis_date=D(2026, 1, 5), enrolment_date=D(2026, 2, 1)
    )
    arm_factories.af.baseline(dead, coordinator_a)
    first = arm_factories.completed_assessment(
        dead, coordinator_a, primary=recist.CR, metastatic=recist.CR, date=D(2026, 3, 2)
    )
    _sign(first.arm_assignment, investigator_a)
    second = arm_factories.completed_assessment(
        dead, coordinator_a, primary=recist.PD, metastatic=recist.PD, date=D(2026, 5, 4)
    )
    _sign(second.arm_assignment, investigator_a)
    _done(
        dead,
        "M03",
        visit_date=D(2026, 4, 6),
        vital_status="alive",
        last_known_alive=D(2026, 4, 6),
        distant_progression=False,
        locoregional_recurrence=False,
    )
    _done(
        dead,
        "M06",
        visit_date=D(2026, 7, 6),
        vital_status="alive",
        last_known_alive=D(2026, 7, 6),
        distant_progression=True,
        distant_progression_date=D(2026, 6, 20),
        distant_progression_sites=["liver", "bone"],
        locoregional_recurrence=False,
    )
    _done(
        dead,
        "M09",
        visit_date=D(2026, 10, 6),
        vital_status="dead",
        last_known_alive=D(2026, 9, 15),
    )
    DeathReport.objects.create(
        participant=dead,
        death_date=D(2026, 9, 30),
        primary_cause=DeathReport.Cause.BREAST_CANCER,
        cause_detail="Told by her sister Mrs Example",
        autopsy=DeathReport.Autopsy.NO,
        information_source=DeathReport.Source.FAMILY,
    )
    AdverseEvent.objects.create(
        participant=dead,
        term=CtcaeTerm.objects.get(term="Gastrointestinal disorders - Other, specify"),
        other_specify="Seen by Dr Example for colic",
        grade=3,
        onset_date=D(2026, 6, 1),
        onset_precision="month",
        ongoing=False,
        resolution_date=D(2026, 6, 20),
        hospitalisation=True,
        serious=True,
        aware_at=dt.datetime(2026, 6, 21, 2, 0, tzinfo=dt.UTC),
        outcome="recovered",
    )
    Radiotherapy.objects.create(
        participant=dead,
        treated_site=Radiotherapy.Site.BONE,
        dose_gy="8.00",
        fractions=1,
        start_date=D(2026, 7, 1),
        end_date=D(2026, 7, 1),
    )
    OffStudy.objects.create(
        participant=dead, date=D(2026, 10, 6), reason=OffStudy.Reason.DIED, note="Family call"
    )
    Participant.objects.filter(pk=dead.pk).update(status=Participant.Status.OFF_STUDY)

    alive = participant_with_visits(
        site_a, coordinator_a, diagnosis_date=D(2026, 1, 5), enrolment_date=D(2026, 2, 1)
    )
    _done(
        alive,
        "M03",
        visit_date=D(2026, 4, 8),
        vital_status="alive",
        last_known_alive=D(2026, 4, 8),
        distant_progression=False,
        locoregional_recurrence=False,
    )
    _done(
        alive, "M06", visit_date=D(2026, 7, 1), vital_status="alive", last_known_alive=D(2026, 7, 3)
    )

    other_site = participant_with_visits(
        site_b, coordinator_b, diagnosis_date=D(2026, 1, 5), enrolment_date=D(2026, 2, 1)
    )
    for p in (enrolled, dead, alive, other_site):
        p.refresh_from_db()
    # Visits and the off-study form were written directly, not through the use cases: the
    # stored verdicts and outcomes are computed here, as after any import.
    derived.recompute()
    return Trial(enrolled=enrolled, failed=failed, dead=dead, alive=alive, other_site=other_site)
