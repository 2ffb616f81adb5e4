"""Writes for the assessments app. Every clinical write goes through `audit.services.save_record`.

Keyword-only and typed; a broken invariant is a `ValidationError` keyed by field, so a form can
show it where it belongs. The responses themselves come from `assessments.recist`: this module
only gathers the inputs (measurements, the nadir from earlier assessments) and stores the
results.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from access.roles import Action, require
from audit.lifecycle import Move
from audit.services import INITIAL_ENTRY, save_record
from enrollment.models import Participant

from . import measurability, recist
from .models import (
    NEGATIVE_MEASUREMENT,
    NODAL_SITES,
    Baseline,
    BaselineLesion,
    Compartment,
    LesionMeasurement,
    OrganSite,
    ResponseAssessment,
    Surgery,
    TherapyLine,
    compartment_of,
)
from .validators import (
    IN_FUTURE,
    LESIONS_LOCKED,
    lesions_frozen,
    surgery_errors,
    therapy_line_errors,
)

# Error messages, asserted on by the tests.
NO_BASELINE = _("Record the baseline before the first response assessment.")
NO_LESIONS_IN_COMPARTMENT = _(
    "The baseline has no lesion in the %(compartment)s compartment; record it first."
)
NOT_AFTER_BASELINE = _("The assessment must be dated after the baseline imaging (%(date)s).")
NOT_AFTER_COMPLETED = _(
    "A completed assessment exists on %(date)s; a new one must be dated after it."
)
EARLIER_DRAFT = _("Complete the earlier assessment of %(date)s first.")
ALREADY_COMPLETE = _("This assessment is complete and can no longer be changed.")
DUPLICATE_DATE = _("This participant already has an assessment on this day.")
BELOW_MEASURABILITY = _(
    "A target lesion must measure at least %(limit)s mm (%(axis)s); "
    "record a smaller one as non-target."
)
TARGET_NEEDS_BASELINE_SIZE = _("A target lesion needs its size.")
TOO_MANY_TARGETS = _("At most %(n)s target lesions in the %(compartment)s compartment.")
COMPARTMENT_NAMES: dict[str, StrOrPromise] = {
    Compartment.PRIMARY: _("primary"),
    Compartment.METASTATIC: _("metastatic"),
}
TOO_MANY_IN_ORGAN = _("At most %(n)s target lesions per organ (%(organ)s).")
TARGET_NEEDS_SIZE = _("Give the size in mm, or mark the lesion not evaluated.")
TARGET_SIZE_OR_NE = _("Give either a size or 'not evaluated', not both.")
NON_TARGET_NEEDS_STATUS = _("Choose the status of this non-target lesion.")
MISSING_LESION = _("Every baseline lesion needs a measurement or status.")

# A new record, or a draft, needs no typed reason; audit.services names the entry.
ENTRY_REASON = INITIAL_ENTRY


def _not_in_future(value: dt.date, *, today: dt.date, field: str) -> None:
    if value > today:
        raise ValidationError({field: IN_FUTURE})


# --- Baseline ---------------------------------------------------------------------------------


def lesion_errors(lesions: Sequence[BaselineLesion]) -> dict[int | None, dict[str, Any]]:
    """Validation of a baseline's lesions as a whole: {index or None: {field: message}}.

    Index `None` holds errors of the set (too many targets); the rest belong to one lesion.
    """
    errors: dict[int | None, dict[str, Any]] = {}
    targets = []
    for i, lesion in enumerate(lesions):
        if lesion.baseline_mm is not None and lesion.baseline_mm < 0:
            errors.setdefault(i, {})["baseline_mm"] = NEGATIVE_MEASUREMENT
        if not lesion.is_target:
            continue
        targets.append(
            measurability.PlannedTarget(
                compartment=lesion.compartment, organ_site=lesion.organ_site
            )
        )
        if lesion.baseline_mm is None:
            errors.setdefault(i, {})["baseline_mm"] = TARGET_NEEDS_BASELINE_SIZE
        elif not measurability.is_measurable(nodal=lesion.nodal, baseline_mm=lesion.baseline_mm):
            errors.setdefault(i, {})["baseline_mm"] = BELOW_MEASURABILITY % {
                "limit": measurability.measurability_limit_mm(nodal=lesion.nodal),
                "axis": _("short axis") if lesion.nodal else _("longest diameter"),
            }
    compartments, organs = measurability.too_many_targets(targets)
    over: dict[tuple[str, str | None], str] = {}
    for compartment in sorted(compartments):
        over[(compartment, None)] = TOO_MANY_TARGETS % {
            "n": measurability.MAX_TARGETS_PER_COMPARTMENT,
            "compartment": COMPARTMENT_NAMES[compartment],
        }
    for compartment, organ in sorted(organs):
        over[(compartment, organ)] = TOO_MANY_IN_ORGAN % {
            "n": measurability.MAX_TARGETS_PER_ORGAN,
            "organ": OrganSite(organ).label,
        }
    # The lesion that breaks a limit (the sixth target, the third in an organ) carries the
    # message at its own row, so the coordinator sees which one to make non-target.
    seen: Counter[tuple[str, str | None]] = Counter()
    for i, lesion in enumerate(lesions):
        if not lesion.is_target:
            continue
        for key, limit in (
            ((lesion.compartment, lesion.organ_site), measurability.MAX_TARGETS_PER_ORGAN),
            ((lesion.compartment, None), measurability.MAX_TARGETS_PER_COMPARTMENT),
        ):
            seen[key] += 1
            if key in over and seen[key] > limit:
                errors.setdefault(i, {}).setdefault("kind", over[key])
    messages = list(over.values())
    if messages:
        errors[None] = {"__all__": messages}
    return errors


def baseline_save(
    *,
    baseline: Baseline,
    lesions: Sequence[BaselineLesion] = (),
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Baseline:
    """Save the baseline CRF and its lesions (all of them: the ones to keep and the new ones).

    New lesions are numbered on from the stored ones, primary compartment first; their
    compartment and nodal flag follow from the organ site. They are frozen once an assessment
    exists, because the stored responses of that assessment were computed from them.
    """
    require(user, Action.ENTER_DATA, baseline.participant.site_id)
    today = today or timezone.localdate()
    _not_in_future(baseline.baseline_date, today=today, field="baseline_date")
    for lesion in lesions:
        lesion.compartment = compartment_of(lesion.organ_site)
        lesion.nodal = lesion.organ_site in NODAL_SITES
    errors = lesion_errors(lesions)
    if errors:
        # The lesion formset shows these at their rows; this is the backstop for other callers.
        messages = [str(m) for field_errors in errors.values() for m in _flatten(field_errors)]
        raise ValidationError(list(dict.fromkeys(messages)))
    with transaction.atomic():
        changed = [lesion for lesion in lesions if lesion.pk is None or _is_dirty(lesion)]
        if changed and baseline.pk is not None and lesions_frozen(baseline.participant_id):
            raise ValidationError(LESIONS_LOCKED)
        save_record(baseline, user=user, reason=reason, expected_version=expected_version)
        numbers = [lesion.number for lesion in lesions if lesion.pk is not None and lesion.number]
        next_number = max([*numbers, *_existing_numbers(baseline)], default=0) + 1
        # New lesions are numbered primary compartment first, as the CRF lists them.
        changed.sort(key=lambda x: (x.pk is not None, x.compartment != Compartment.PRIMARY))
        for lesion in changed:
            lesion.baseline = baseline
            if not lesion.number:
                lesion.number = next_number
                next_number += 1
            save_record(lesion, user=user, reason=reason, expected_version=lesion.version)
    return baseline


def _flatten(field_errors: dict[str, Any]) -> list[Any]:
    return [
        m
        for messages in field_errors.values()
        for m in (messages if isinstance(messages, list) else [messages])
    ]


def _existing_numbers(baseline: Baseline) -> list[int]:
    return list(BaselineLesion.objects.filter(baseline=baseline).values_list("number", flat=True))


_LESION_FIELDS = ("organ_site", "kind", "description", "baseline_mm")


def _is_dirty(lesion: BaselineLesion) -> bool:
    stored = BaselineLesion.objects.filter(pk=lesion.pk).values(*_LESION_FIELDS).first()
    return stored is None or any(stored[f] != getattr(lesion, f) for f in _LESION_FIELDS)


# --- Systemic therapy -------------------------------------------------------------------------

THERAPY_LINE_FIELDS = ("start_date", "stop_date", "reason_stopped")
SURGERY_FIELDS = (
    "procedure",
    "metastasis_site",
    "surgery_date",
    "ypt",
    "ypn",
    "residual_invasive_disease",
    "margins",
    "axillary_procedure",
    "length_of_stay_days",
)


def _values(record: Any, fields: Sequence[str]) -> dict[str, Any]:
    """A record's values by field, the plain dict the forms' rules take."""
    return {field: getattr(record, field) for field in fields}


def therapy_line_save(
    *,
    line: TherapyLine,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> TherapyLine:
    require(user, Action.ENTER_DATA, line.participant.site_id)
    today = today or timezone.localdate()
    errors = therapy_line_errors(_values(line, THERAPY_LINE_FIELDS), today=today)
    if errors:
        raise ValidationError(errors)
    return save_record(line, user=user, reason=reason, expected_version=expected_version)


# --- Response assessment ----------------------------------------------------------------------


@dataclass(frozen=True)
class LesionEntry:
    """What the assessor recorded for one baseline lesion."""

    current_mm: Decimal | None = None
    status: str = ""  # one of recist.NON_TARGET_STATUSES, or "" for a measured target


@dataclass(frozen=True)
class CompartmentResult:
    target: str | None
    non_target: str | None
    overall: str | None
    target_sum_mm: Decimal | None  # only when every target lesion was measured


def entry_errors(lesion: BaselineLesion, entry: LesionEntry | None) -> str | None:
    """Why an entry cannot stand for `lesion`, or None."""
    if entry is None:
        return str(MISSING_LESION)
    if entry.current_mm is not None and entry.current_mm < 0:
        return str(NEGATIVE_MEASUREMENT)
    if lesion.is_target:
        if entry.current_mm is None and entry.status != recist.NOT_EVALUATED:
            return str(TARGET_NEEDS_SIZE)
        if entry.current_mm is not None and entry.status:
            return str(TARGET_SIZE_OR_NE)
    elif entry.status not in recist.NON_TARGET_STATUSES:
        return str(NON_TARGET_NEEDS_STATUS)
    return None


def _float_or_none(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def compartment_response(
    lesions: Sequence[BaselineLesion],
    entries: Mapping[int, LesionEntry],
    *,
    prior_sums_mm: Sequence[Decimal],
    new_lesions: bool,
) -> CompartmentResult:
    """The compartment's responses by `assessments.recist`, from the lesions of one compartment."""
    targets = [lesion for lesion in lesions if lesion.is_target]
    target_lesions = [
        recist.TargetLesion(
            nodal=lesion.nodal,
            baseline_mm=float(lesion.baseline_mm or 0),
            current_mm=_float_or_none(entries[lesion.pk].current_mm),
        )
        for lesion in targets
    ]
    target = recist.target_response(target_lesions, [float(s) for s in prior_sums_mm])
    non_target = recist.non_target_response(
        [entries[lesion.pk].status for lesion in lesions if not lesion.is_target]
    )
    overall = (
        None
        if target is None and non_target is None
        else recist.overall_response(target, non_target, new_lesions)
    )
    measured = [entries[lesion.pk].current_mm for lesion in targets]
    target_sum = (
        sum(cast(list[Decimal], measured), Decimal(0))
        if targets and all(mm is not None for mm in measured)
        else None
    )
    return CompartmentResult(target, non_target, overall, target_sum)


def _prior_sums(assessment: ResponseAssessment, compartment: str) -> list[Decimal]:
    """The nadir's candidates: target sums of the participant's earlier completed assessments.

    Only completed assessments count (a draft's numbers are not yet confirmed), and only sums
    over all target lesions (a sum missing a lesion would be a false, low nadir).
    """
    field = f"{compartment}_target_sum_mm"
    return [
        s
        for s in ResponseAssessment.objects.completed()
        .filter(
            participant_id=assessment.participant_id,
            assessment_date__lt=assessment.assessment_date,
        )
        .exclude(pk=assessment.pk)
        .values_list(field, flat=True)
        if s is not None
    ]


def compute_responses(
    assessment: ResponseAssessment,
    lesions: Sequence[BaselineLesion],
    entries: Mapping[int, LesionEntry],
) -> dict[str, CompartmentResult]:
    """Both compartments' results for `assessment` (not saved): also the live preview's source."""
    results = {}
    for compartment in Compartment:
        results[compartment.value] = compartment_response(
            [lesion for lesion in lesions if lesion.compartment == compartment],
            entries,
            prior_sums_mm=_prior_sums(assessment, compartment.value),
            new_lesions=getattr(assessment, f"{compartment.value}_new_lesions"),
        )
    return results


def _store(assessment: ResponseAssessment, results: Mapping[str, CompartmentResult]) -> None:
    for compartment, result in results.items():
        setattr(assessment, f"{compartment}_target", result.target or "")
        setattr(assessment, f"{compartment}_non_target", result.non_target or "")
        setattr(assessment, f"{compartment}_response", result.overall or "")
        setattr(assessment, f"{compartment}_target_sum_mm", result.target_sum_mm)


def validate_assessment(
    *,
    assessment: ResponseAssessment,
    participant: Participant,
    today: dt.date,
) -> Baseline:
    """The assessment's date and its place in the participant's history; returns the baseline."""
    baseline = Baseline.objects.filter(participant=participant).first()
    if baseline is None:
        raise ValidationError(NO_BASELINE)
    if (
        assessment.pk is not None
        and ResponseAssessment.objects.completed().filter(pk=assessment.pk).exists()
    ):
        raise ValidationError(ALREADY_COMPLETE)
    field = "assessment_date"
    _not_in_future(assessment.assessment_date, today=today, field=field)
    if assessment.assessment_date <= baseline.baseline_date:
        raise ValidationError({field: NOT_AFTER_BASELINE % {"date": baseline.baseline_date}})
    others = ResponseAssessment.objects.filter(participant=participant).exclude(pk=assessment.pk)
    if others.filter(assessment_date=assessment.assessment_date).exists():
        raise ValidationError({field: DUPLICATE_DATE})
    last_complete = (
        others.completed()
        .order_by("-assessment_date")
        .values_list("assessment_date", flat=True)
        .first()
    )
    if last_complete is not None and assessment.assessment_date <= last_complete:
        raise ValidationError({field: NOT_AFTER_COMPLETED % {"date": last_complete}})
    present = set(baseline.lesions.values_list("compartment", flat=True))
    for compartment in Compartment:
        if compartment not in present:
            raise ValidationError(NO_LESIONS_IN_COMPARTMENT % {"compartment": compartment.label})
    return baseline


def assessment_save(
    *,
    assessment: ResponseAssessment,
    entries: Mapping[int, LesionEntry],
    complete: bool,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> ResponseAssessment:
    """Save an assessment with one entry per baseline lesion, computing and storing its responses.

    With `complete`, the assessment is completed (see `complete_assessment`).
    """
    require(user, Action.ENTER_DATA, assessment.participant.site_id)
    today = today or timezone.localdate()
    participant = assessment.participant
    baseline = validate_assessment(assessment=assessment, participant=participant, today=today)
    lesions = list(baseline.lesions.all())
    errors = {
        f"lesion_{lesion.pk}": message
        for lesion in lesions
        if (message := entry_errors(lesion, entries.get(lesion.pk)))
    }
    if errors:
        raise ValidationError(errors)
    if complete:
        _refuse_earlier_draft(assessment)
    # Completing writes each record once: its data and its move to "complete" in one row.
    move = Move.COMPLETE if complete else None
    with transaction.atomic():
        _store(assessment, compute_responses(assessment, lesions, entries))
        if complete:
            assessment.completed_at = timezone.now()
        save_record(
            assessment, user=user, reason=reason, expected_version=expected_version, move=move
        )
        stored = {m.lesion_id: m for m in assessment.measurements.all()}
        if any(m.assessment_date != assessment.assessment_date for m in stored.values()):
            # A corrected date: the copies that the measurements carry follow it, the
            # measurements left unchanged below too (bookkeeping, not an entry).
            assessment.measurements.update(assessment_date=assessment.assessment_date)
        for lesion in lesions:
            entry = entries[lesion.pk]
            measurement = stored.get(lesion.pk) or LesionMeasurement(
                assessment=assessment, lesion=lesion
            )
            unchanged = measurement.pk is not None and (
                measurement.current_mm,
                measurement.status,
            ) == (entry.current_mm, entry.status)
            if unchanged and not complete:
                continue
            measurement.current_mm = entry.current_mm
            measurement.status = entry.status
            save_record(
                measurement,
                user=user,
                reason=reason,
                expected_version=measurement.version,
                move=move,
            )
        if complete:
            _recompute_later_drafts(assessment, user=user)
    return assessment


def _refuse_earlier_draft(assessment: ResponseAssessment) -> None:
    """Earlier assessments must be complete first: the nadir of this one, and so its stored
    responses, depend on theirs."""
    earlier_draft = (
        ResponseAssessment.objects.drafts()
        .filter(
            participant_id=assessment.participant_id,
            assessment_date__lt=assessment.assessment_date,
        )
        .values_list("assessment_date", flat=True)
        .first()
    )
    if earlier_draft is not None:
        raise ValidationError(EARLIER_DRAFT % {"date": earlier_draft})


def complete_assessment(*, assessment: ResponseAssessment, user: Any) -> ResponseAssessment:
    """Complete a saved draft with the measurements it holds (see `assessment_save`)."""
    entries = {
        m.lesion_id: LesionEntry(current_mm=m.current_mm, status=m.status)
        for m in assessment.measurements.all()
    }
    return assessment_save(
        assessment=assessment,
        entries=entries,
        complete=True,
        user=user,
        expected_version=assessment.version,
    )


def _recompute_later_drafts(assessment: ResponseAssessment, *, user: Any) -> None:
    """A completed assessment joins the nadir of later drafts: refresh their stored results."""
    later = (
        ResponseAssessment.objects.drafts()
        .filter(
            participant_id=assessment.participant_id,
            assessment_date__gt=assessment.assessment_date,
        )
        .select_related("participant")
        .prefetch_related("measurements")
    )
    lesions = list(
        BaselineLesion.objects.filter(baseline__participant_id=assessment.participant_id)
    )
    for draft in later:
        entries = {
            m.lesion_id: LesionEntry(current_mm=m.current_mm, status=m.status)
            for m in draft.measurements.all()
        }
        if any(lesion.pk not in entries for lesion in lesions):
            continue
        _store(draft, compute_responses(draft, lesions, entries))
        save_record(
            draft,
            user=user,
            reason="Responses recomputed: an earlier assessment was completed",
            expected_version=draft.version,
        )


# --- Surgery ----------------------------------------------------------------------------------


def surgery_save(
    *,
    surgery: Surgery,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Surgery:
    require(user, Action.ENTER_DATA, surgery.participant.site_id)
    today = today or timezone.localdate()
    errors = surgery_errors(
        _values(surgery, SURGERY_FIELDS),
        diagnosis_date=surgery.participant.diagnosis_date,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_record(surgery, user=user, reason=reason, expected_version=expected_version)
        # A corrected date: the copies that its complications carry follow it (bookkeeping,
        # not an entry of the events).
        surgery.complications.exclude(surgery_date=surgery.surgery_date).update(
            surgery_date=surgery.surgery_date
        )
    return surgery
