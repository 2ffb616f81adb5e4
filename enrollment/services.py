"""Screening and enrolment writes. Every clinical write goes through audit.services.save_record.

Eligibility is never decided here: the services ask `enrollment.eligibility.evaluate`, inside
the transaction that records the outcome, on the row they have locked.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action, require
from audit.lifecycle import Move
from audit.models import CrfStatus
from audit.services import save_record
from audit.violations import violation_message
from ruleviolation import RuleViolation

from . import eligibility, validators
from .labels import CRITERION_LABELS
from .models import OffStudy, Participant, Screening, StudyIdCounter

NOT_ELIGIBLE = _("This patient is not eligible: %(failed)s.")
NOT_DECIDED = _("Eligibility is not decided yet: complete %(missing)s.")
SCREENING_CLOSED = _("This screening already has an outcome (%(status)s).")
CONSENT_REQUIRED = _("Give the date of informed consent.")
CONSENT_BEFORE_SCREENING = _("Consent cannot be given before the screening date.")
DATE_IN_FUTURE = _("This date is in the future.")
NOTE_REQUIRED_NO_FAILED_CRITERION = _(
    "No criterion failed: say in the note why the patient is not enrolled."
)
DIAGNOSIS_DATE_REQUIRED = _("Give the date of diagnosis: the participant's record starts from it.")
IMPOSSIBLE_FACTS = _("The screening data are inconsistent: %(error)s")
ALREADY_OFF_STUDY = _("This participant is already off study.")
CORRECTION_REASON_REQUIRED = _(
    "This screening already has an outcome: give the reason for the correction."
)

REASON_SCREENING_CREATED = "Screening started"
REASON_ENROLLED = "Enrolled"
REASON_SCREEN_FAILED = "Screen failure"
REASON_OFF_STUDY = "Off study"


class ScreeningOutcomeError(Exception):
    """The outcome asked for cannot be recorded; the message says why, for the user, and
    `field` (when there is one) which form field it is about."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _refuse(errors: dict[str, list[Any]]) -> None:
    """Refuse a form's rule errors (`enrollment.validators`): the first, at its field."""
    for field, messages in errors.items():
        raise ScreeningOutcomeError(messages[0], field=field)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _verdict(screening: Screening, today: dt.date) -> eligibility.Eligibility:
    """The rules' verdict on the screening; facts the rules refuse are an outcome error."""
    try:
        return eligibility.evaluate(screening.facts(today=today))
    except RuleViolation as exc:
        raise ScreeningOutcomeError(
            IMPOSSIBLE_FACTS % {"error": violation_message(exc)},
            field=validators.fact_field(exc.field),
        ) from exc
    except ValueError as exc:  # a unit the conversion does not know (enrollment.labs)
        raise ScreeningOutcomeError(IMPOSSIBLE_FACTS % {"error": exc}) from exc


def screening_save(
    *,
    screening: Screening,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Screening:
    """Create or correct a screening; complete or not, it is saved as it stands."""
    require(user, Action.SCREEN, screening.site_id)
    today = _today(today)
    # The form's own rules, met by every caller, then what the protocol refuses.
    values = {field.attname: getattr(screening, field.attname) for field in Screening._meta.fields}
    _refuse(
        validators.screening_errors(
            values | {"metastases": screening.metastases},
            today=today,
            consent_date=screening.consent_date,
        )
    )
    _verdict(screening, today)
    creating = screening.pk is None
    if not creating and not screening.is_open and not reason.strip():
        raise ScreeningOutcomeError(CORRECTION_REASON_REQUIRED)
    # An edit of a draft needs no reason; beyond draft, save_record asks for one.
    reason = reason.strip() or (REASON_SCREENING_CREATED if creating else "")
    save_record(screening, user=user, reason=reason, expected_version=expected_version)
    return screening


def carry_diagnosis_date(*, screening: Screening, user: Any, reason: str) -> Participant | None:
    """A correction of the diagnosis date after enrolment is carried to the participant;
    returns the participant when her diagnosis date changed (her visits count from it)."""
    if screening.status != Screening.Status.ENROLLED or not screening.diagnosis_date:
        return None
    require(user, Action.SCREEN, screening.site_id)
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(screening=screening)
        if participant.diagnosis_date == screening.diagnosis_date:
            return None
        participant.diagnosis_date = screening.diagnosis_date
        save_record(participant, user=user, reason=reason, expected_version=participant.version)
    return participant


def _format_codes(codes: tuple[str, ...] | list[str]) -> str:
    return "; ".join(str(CRITERION_LABELS[c]) for c in codes)


def _next_sequence(site: Site) -> int:
    # The counter row is created once per site; get_or_create survives a concurrent creation
    # (it retries the read after the unique violation, in its own savepoint). The lock is then
    # held until the enrolment transaction ends.
    StudyIdCounter.objects.get_or_create(site=site)
    counter = StudyIdCounter.objects.select_for_update().get(site=site)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return counter.last_sequence


def study_id_for(site: Site, sequence: int) -> str:
    return f"{site.code}-{sequence:04d}"


def enrol_participant(
    *,
    screening: Screening,
    user: Any,
    consent_date: dt.date | None,
    today: dt.date | None = None,
) -> Participant:
    """Enrol an eligible patient: allocate the next study ID at the site and create the
    participant, in one transaction (`workflow.services.enrol` then plans her visits).

    The enrolment date is the date of informed consent: the protocol's enrolment is the
    patient's agreement, and follow-up visits are planned from it.
    """
    require(user, Action.ENROL, screening.site_id)
    today = _today(today)
    with transaction.atomic():
        # Lock the screening so that two clicks on "enrol" cannot both pass the checks below.
        # of=("self",): the site row stays unlocked; the study ID counter is the one lock
        # that serialises enrolments at a site.
        locked = (
            Screening.objects.select_for_update(of=("self",))
            .select_related("site")
            .get(pk=screening.pk)
        )
        if not locked.is_open:
            raise ScreeningOutcomeError(SCREENING_CLOSED % {"status": locked.get_status_display()})
        if consent_date is None:
            raise ScreeningOutcomeError(CONSENT_REQUIRED)
        if consent_date > today:
            raise ScreeningOutcomeError(DATE_IN_FUTURE)
        if consent_date < locked.screening_date:
            raise ScreeningOutcomeError(CONSENT_BEFORE_SCREENING)
        verdict = _verdict(locked, today)
        if verdict.eligible is False:
            raise ScreeningOutcomeError(NOT_ELIGIBLE % {"failed": _format_codes(verdict.failed)})
        if verdict.eligible is not True:
            raise ScreeningOutcomeError(NOT_DECIDED % {"missing": _format_codes(verdict.missing)})
        # The rules can decide without it (systemic therapy not started: nothing to date
        # against), but a participant has a diagnosis date (NOT NULL); refused here, before a
        # study ID is taken, rather than failing at the insert.
        diagnosis_date = locked.diagnosis_date
        if diagnosis_date is None:
            raise ScreeningOutcomeError(DIAGNOSIS_DATE_REQUIRED)

        sequence = _next_sequence(locked.site)
        participant = Participant(
            site=locked.site,
            study_id=study_id_for(locked.site, sequence),
            sequence=sequence,
            diagnosis_date=diagnosis_date,
            enrolment_date=consent_date,
            screening=locked,
        )
        save_record(participant, user=user, reason=REASON_ENROLLED)
        locked.status = Screening.Status.ENROLLED
        locked.study_id = participant.study_id
        locked.consent_date = consent_date
        locked.failed_criteria = []
        save_record(
            locked,
            user=user,
            reason=f"{REASON_ENROLLED} as {participant.study_id}",
            expected_version=locked.version,
        )
    screening.refresh_from_db()
    return participant


def screen_fail(
    *,
    screening: Screening,
    user: Any,
    note: str = "",
    today: dt.date | None = None,
) -> Screening:
    """Record a screen failure with the criteria the rules find failed, and a note.

    A patient may also be a screen failure without a failed criterion (declined consent, say);
    the note must then say why.
    """
    require(user, Action.SCREEN, screening.site_id)
    today = _today(today)
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        if not locked.is_open:
            raise ScreeningOutcomeError(SCREENING_CLOSED % {"status": locked.get_status_display()})
        verdict = _verdict(locked, today)
        if not verdict.failed and not note.strip():
            raise ScreeningOutcomeError(NOTE_REQUIRED_NO_FAILED_CRITERION)
        locked.status = Screening.Status.SCREEN_FAILED
        locked.failed_criteria = list(verdict.failed)
        locked.outcome_note = note.strip()
        # Recording the outcome is the site finishing the form: it is complete from now on,
        # not a draft beside a screen failure (and a later change names its reason).
        save_record(
            locked,
            user=user,
            reason=REASON_SCREEN_FAILED,
            expected_version=locked.version,
            move=Move.COMPLETE if locked.crf_status == CrfStatus.DRAFT else None,
        )
    screening.refresh_from_db()
    return screening


def take_off_study(
    *,
    participant: Participant,
    user: Any,
    date: dt.date,
    reason: str,
    note: str = "",
    today: dt.date | None = None,
) -> OffStudy:
    """Take a participant off study (withdrawal of consent, death, ...): recorded, audited,
    never deleted (`workflow.services.take_off_study` then closes the visits not yet done)."""
    require(user, Action.ENTER_DATA, participant.site_id)
    today = _today(today)
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if locked.is_off_study or OffStudy.objects.filter(participant=locked).exists():
            raise ScreeningOutcomeError(ALREADY_OFF_STUDY)
        _refuse(
            validators.off_study_errors(
                {"date": date}, enrolment_date=locked.enrolment_date, today=today
            )
        )
        off_study = OffStudy(participant=locked, date=date, reason=reason, note=note.strip())
        save_record(off_study, user=user, reason=f"{REASON_OFF_STUDY}: {reason}")
        locked.status = Participant.Status.OFF_STUDY
        save_record(
            locked,
            user=user,
            reason=f"{REASON_OFF_STUDY}: {reason}",
            expected_version=locked.version,
        )
    participant.refresh_from_db()
    return off_study
