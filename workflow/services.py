"""The trial's use cases: each step of the protocol that spans apps, in one visible function.

A single-app service (`enrollment.services`, `assessments.services`, ...) does its own app's
work and never calls another app's services; when a step of the protocol needs several apps,
it is written here, in the order the protocol gives, inside one transaction. Views, commands,
tasks and the demo seed call these functions; import-linter (`.importlinter`) holds the
layers: the rules core imports no Django, apps do not import each other's services, and only
this layer and the views cross apps.

The use cases:
- `save_screening`: a screening saved; a correction of the diagnosis date after enrolment
  is carried to the participant and her follow-up visits are planned again from it;
- `enrol`: an eligible screening becomes a participant with a study ID, and the follow-up
  visits are planned from the date of consent;
- `take_off_study`: the off-study form, the participant's status, and the visits not yet
  done closed (missed, or no longer required);
- `save_assessment`: a response assessment saved, or completed: its form completed in the
  same write, RECIST responses computed, later drafts recomputed, then the arm proposed
  from the two compartments' responses, the site's investigators told after the commit;
- `record_visit` / `record_unscheduled_visit`: the follow-up form recorded and completed;
- `record_death`: the death report (the single source of the date of death) recorded, and the
  participant's remaining visits closed;
- `save_baseline`: the baseline and its lesions;
- `confirm_assignment` / `override_assignment`: the investigator's signed decision on an arm;
- `sign_casebook`: the investigator's electronic signature of a casebook whose entered
  forms are all verified.

What a rule computes from the facts these change is stored in the same transaction, by one
refresh function per kind (`exports.derived.refresh_eligibility`, `refresh_outcomes`), so the
exports and the reports read it instead of computing it per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from arms import services as arms_services
from arms.models import ArmAssignment
from assessments import services as assessments_services
from assessments.models import Baseline, BaselineLesion, ResponseAssessment
from dataquality import services as dataquality_services
from dataquality.models import CasebookSignOff
from enrollment import services as enrollment_services
from enrollment.models import OffStudy, Participant, Screening
from exports.derived import refresh_eligibility, refresh_outcomes
from followup import services as followup_services
from followup.models import PlannedVisit, Visit
from safety import services as safety_services
from safety.models import DeathReport


def save_screening(
    *,
    screening: Screening,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Screening:
    """Save a screening; a corrected diagnosis date moves the enrolled participant's visits,
    and her analysis row follows any correction (its diagnosis date, its metastatic sites)."""
    with transaction.atomic():
        enrollment_services.screening_save(
            screening=screening,
            user=user,
            reason=reason,
            expected_version=expected_version,
            today=today,
        )
        moved = enrollment_services.carry_diagnosis_date(
            screening=screening, user=user, reason=reason
        )
        if moved is not None:
            followup_services.replan_visits(participant=moved, user=user, reason=reason)
        refresh_eligibility(screening_ids=[screening.pk])
        enrolled = Participant.objects.filter(screening=screening).values_list("pk", flat=True)
        refresh_outcomes(participant_ids=list(enrolled))
    return screening


def enrol(
    *,
    screening: Screening,
    user: Any,
    consent_date: dt.date | None,
    today: dt.date | None = None,
) -> Participant:
    """Enrol an eligible patient and plan her follow-up visits, in one transaction."""
    with transaction.atomic():
        participant = enrollment_services.enrol_participant(
            screening=screening, user=user, consent_date=consent_date, today=today
        )
        followup_services.plan_visits(participant=participant, user=user)
        refresh_outcomes(participant_ids=[participant.pk])
    return participant


def take_off_study(
    *,
    participant: Participant,
    user: Any,
    date: dt.date,
    reason: str,
    note: str = "",
    today: dt.date | None = None,
) -> OffStudy:
    """Take a participant off study; the visits not yet done are closed as of that date."""
    with transaction.atomic():
        off_study = enrollment_services.take_off_study(
            participant=participant, user=user, date=date, reason=reason, note=note, today=today
        )
        followup_services.close_visits(participant=participant, user=user, as_of=date)
        refresh_outcomes(participant_ids=[participant.pk])
    return off_study


def save_assessment(
    *,
    assessment: ResponseAssessment,
    entries: Mapping[int, assessments_services.LesionEntry],
    complete: bool,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> ResponseAssessment:
    """Save a response assessment; completing it proposes the arm (protocol: every
    reassessment can move a patient)."""
    with transaction.atomic():
        assessment = assessments_services.assessment_save(
            assessment=assessment,
            entries=entries,
            complete=complete,
            user=user,
            reason=reason,
            expected_version=expected_version,
            today=today,
        )
        if complete:
            arms_services.propose_assignment(assessment=assessment, user=user)
            refresh_outcomes(participant_ids=[assessment.participant_id])
    return assessment


def complete_assessment(*, assessment: ResponseAssessment, user: Any) -> ResponseAssessment:
    """Complete a saved draft assessment with the measurements it holds, and propose the arm."""
    with transaction.atomic():
        assessment = assessments_services.complete_assessment(assessment=assessment, user=user)
        arms_services.propose_assignment(assessment=assessment, user=user)
        refresh_outcomes(participant_ids=[assessment.participant_id])
    return assessment


def record_visit(
    *,
    visit: PlannedVisit | Visit,
    user: Any,
    data: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Record (or correct) a follow-up visit: a planned visit's form is created the first time;
    the participant's outcomes are recomputed (a death is recorded by `record_death`)."""
    with transaction.atomic():
        form = followup_services.record_visit(
            visit=visit,
            user=user,
            data=data,
            reason=reason,
            expected_version=expected_version,
            today=today,
        )
        refresh_outcomes(participant_ids=[form.participant_id])
    return form


def record_unscheduled_visit(*, participant: Participant, user: Any, data: dict[str, Any]) -> Visit:
    with transaction.atomic():
        form = followup_services.record_unscheduled_visit(
            participant=participant, user=user, data=data
        )
        refresh_outcomes(participant_ids=[participant.pk])
    return form


def save_baseline(
    *,
    baseline: Baseline,
    lesions: Sequence[BaselineLesion] = (),
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Baseline:
    """Save the baseline and its lesions; the analysis row's biomarker categories follow."""
    with transaction.atomic():
        saved = assessments_services.baseline_save(
            baseline=baseline,
            lesions=lesions,
            user=user,
            reason=reason,
            expected_version=expected_version,
            today=today,
        )
        refresh_outcomes(participant_ids=[baseline.participant_id])
    return saved


def confirm_assignment(
    *, assignment: ArmAssignment, user: Any, password: str, expected_version: int
) -> ArmAssignment:
    """The investigator signs the proposed arm; the participant's first and current arms
    follow."""
    with transaction.atomic():
        signed = arms_services.assignment_confirm(
            assignment=assignment, user=user, password=password, expected_version=expected_version
        )
        refresh_outcomes(participant_ids=[assignment.participant_id])
    return signed


def override_assignment(
    *,
    assignment: ArmAssignment,
    user: Any,
    password: str,
    expected_version: int,
    arm: int,
    reason: str,
) -> ArmAssignment:
    """The investigator signs another arm than the proposal, with the reason; the
    participant's first and current arms follow."""
    with transaction.atomic():
        signed = arms_services.assignment_override(
            assignment=assignment,
            user=user,
            password=password,
            expected_version=expected_version,
            arm=arm,
            reason=reason,
        )
        refresh_outcomes(participant_ids=[assignment.participant_id])
    return signed


def sign_casebook(
    *, participant: Participant, user: Any, password: str, now: dt.datetime | None = None
) -> CasebookSignOff:
    """The investigator signs the casebook once every entered form is verified."""
    return dataquality_services.sign_casebook(
        participant=participant, user=user, password=password, now=now
    )


def record_death(
    *,
    report: DeathReport,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> DeathReport:
    """Record (or correct) the death report, the single source of the date of death, and close
    the participant's remaining planned visits as of that date. Every change of a date of death
    goes through here (overall survival reads it)."""
    with transaction.atomic():
        safety_services.death_report_save(
            report=report,
            user=user,
            reason=reason,
            expected_version=expected_version,
            today=today,
        )
        followup_services.close_visits_after_death(
            participant=report.participant, user=user, death_date=report.death_date
        )
        refresh_outcomes(participant_ids=[report.participant_id])
    return report
