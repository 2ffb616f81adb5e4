"""The cross-field rules of the assessments CRFs, one function per form, on a plain dict.

Each function takes the form's values by field name (a form's cleaned data, or a record's
fields) and returns the field errors. The form's `clean()` shows them; the service that writes
calls the same function and refuses the save, so a crafted POST or another caller meets the
same rule (clinicedc's form validators).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import pathology
from .models import ResponseAssessment, Surgery

IN_FUTURE = _("This date is in the future.")
BEFORE_DIAGNOSIS = _("This date is before the date of diagnosis.")
STOP_BEFORE_START = _("The stop date cannot be before the start date.")
STOP_NEEDS_REASON = _("Give the reason the therapy was stopped.")
REASON_NEEDS_STOP = _("A reason stopped needs a stop date.")
RESECTION_NEEDS_SITE = _("Name the site of the resected metastasis.")
SITE_ONLY_FOR_RESECTION = _("A metastasis site belongs only to a resection of a metastasis.")
BREAST_SURGERY_NEEDS_YP = _("Give ypT and ypN for a surgery of the breast.")
PCR_CONTRADICTS_RESIDUAL = _("ypT0/Tis ypN0 means no residual invasive disease.")
RESIDUAL_CONTRADICTS_YP = _("This ypT means residual invasive disease in the breast.")
AXILLA_ONLY_FOR_BREAST = _("An axillary procedure belongs to a surgery of the breast.")
STAY_OUT_OF_RANGE = _("Give a length of stay between 0 and 365 days.")
LESIONS_LOCKED = _("Baseline lesions cannot change once a response assessment exists.")

FieldErrors = dict[str, list[Any]]


def _add(errors: FieldErrors, field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def therapy_line_errors(data: Mapping[str, Any], *, today: dt.date) -> FieldErrors:
    """A line of systemic therapy: dates not in the future, stop not before start, and a stop
    date and its reason given together."""
    errors: FieldErrors = {}
    start, stop = data.get("start_date"), data.get("stop_date")
    reason_stopped = data.get("reason_stopped")
    if start is not None and start > today:
        _add(errors, "start_date", IN_FUTURE)
    if stop is not None:
        if stop > today:
            _add(errors, "stop_date", IN_FUTURE)
        elif start is not None and stop < start:
            _add(errors, "stop_date", STOP_BEFORE_START)
        if not reason_stopped:
            _add(errors, "reason_stopped", STOP_NEEDS_REASON)
    elif reason_stopped:
        _add(errors, "stop_date", REASON_NEEDS_STOP)
    return errors


def surgery_errors(
    data: Mapping[str, Any], *, diagnosis_date: dt.date, today: dt.date
) -> FieldErrors:
    """A surgery: dated between the diagnosis and today; a surgery of the breast has its ypT
    and ypN and a residual disease answer that agrees with them; a resection of a metastasis
    names its site, and only it does."""
    errors: FieldErrors = {}
    surgery_date = data.get("surgery_date")
    if surgery_date is not None:
        if surgery_date > today:
            _add(errors, "surgery_date", IN_FUTURE)
        elif surgery_date < diagnosis_date:
            _add(errors, "surgery_date", BEFORE_DIAGNOSIS)
    stay = data.get("length_of_stay_days")
    if stay is not None and not 0 <= stay <= 365:
        _add(errors, "length_of_stay_days", STAY_OUT_OF_RANGE)
    procedure = data.get("procedure")
    if not procedure:
        return errors
    ypt, ypn = data.get("ypt") or None, data.get("ypn") or None
    residual = data.get("residual_invasive_disease")
    if procedure == Surgery.Procedure.METASTASIS_RESECTION:
        if data.get("axillary_procedure") not in (None, "", Surgery.AxillaryProcedure.NONE):
            _add(errors, "axillary_procedure", AXILLA_ONLY_FOR_BREAST)
        if not data.get("metastasis_site"):
            _add(errors, "metastasis_site", RESECTION_NEEDS_SITE)
        return errors
    if data.get("metastasis_site"):
        _add(errors, "metastasis_site", SITE_ONLY_FOR_RESECTION)
    if not ypt:
        _add(errors, "ypt", BREAST_SURGERY_NEEDS_YP)
    if not ypn:
        _add(errors, "ypn", BREAST_SURGERY_NEEDS_YP)
    if ypt and ypn:
        if pathology.is_pcr(ypt, ypn) is True and residual:
            _add(errors, "residual_invasive_disease", PCR_CONTRADICTS_RESIDUAL)
        elif ypt in pathology.INVASIVE_YPT and residual is False:
            _add(errors, "residual_invasive_disease", RESIDUAL_CONTRADICTS_YP)
    return errors


def lesions_frozen(participant_id: int) -> bool:
    """Whether the participant's baseline lesions are frozen: once a response assessment
    exists, its stored responses were computed from them (RECIST compares every assessment
    with the baseline), so they can no longer change. Read by the baseline page (which then
    shows them read-only), the lesion formset and `services.baseline_save`."""
    return ResponseAssessment.objects.filter(participant_id=participant_id).exists()
