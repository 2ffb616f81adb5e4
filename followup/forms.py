"""The follow-up visit CRF. Its cross-field rules live in `visit_errors`, testable with a dict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.forms import ReasonForChangeMixin
from audit.services import STALE_RECORD

from . import endpoints
from .models import CRF_FIELDS, DISTANT_SITE_CHOICES, Visit
from .services import NO_FORM_YET

# Error messages: module constants, so that tests assert on them.
REQUIRED = _("This field is required.")
VISIT_BEFORE_ENROLMENT = _("The visit date cannot be before the enrolment date (%(date)s).")
DATE_IN_FUTURE = _("This date is in the future.")
DATE_BEFORE_DIAGNOSIS = _("This date is before the diagnosis date (%(date)s).")
OUTSIDE_WINDOW_REASON_REQUIRED = _(
    "The visit date is outside the window (%(start)s to %(end)s): give the reason."
)
NOT_WHEN_ALIVE = _("Leave this empty: the vital status is alive.")
DEATH_BEFORE_PROGRESSION = _(
    "The date of death cannot be before the distant progression (%(date)s)."
)
DEATH_BEFORE_RECURRENCE = _(
    "The date of death cannot be before the locoregional recurrence (%(date)s)."
)
ALIVE_AFTER_DEATH = _("The last date known alive cannot be after the date of death (%(date)s).")
ONLY_WITH_EVENT = _("Leave this empty unless the answer above is yes.")
REASON_FOR_CHANGE = _("Give a reason for changing a recorded visit.")


@dataclass(frozen=True)
class VisitContext:
    """What the rules need besides the form: the participant's dates, the window, today."""

    diagnosis_date: dt.date
    enrolment_date: dt.date
    today: dt.date
    window_start: dt.date | None = None  # None: an unscheduled visit
    window_end: dt.date | None = None


def visit_errors(data: dict[str, Any], ctx: VisitContext) -> dict[str, list[str]]:
    """The field errors of a follow-up CRF `data` (cleaned values), by field name."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: Any, **params: Any) -> None:
        errors.setdefault(field, []).append(str(message % params) if params else str(message))

    visit_date = data.get("visit_date")
    if visit_date is None:
        error("visit_date", REQUIRED)
    elif visit_date < ctx.enrolment_date:
        error("visit_date", VISIT_BEFORE_ENROLMENT, date=ctx.enrolment_date)
    elif visit_date > ctx.today:
        error("visit_date", DATE_IN_FUTURE)
    elif (
        ctx.window_start is not None
        and ctx.window_end is not None
        and not ctx.window_start <= visit_date <= ctx.window_end
        and not (data.get("outside_window_reason") or "").strip()
    ):
        error(
            "outside_window_reason",
            OUTSIDE_WINDOW_REASON_REQUIRED,
            start=ctx.window_start,
            end=ctx.window_end,
        )

    for field in (
        "last_known_alive",
        "distant_progression_date",
        "locoregional_recurrence_date",
        "death_date",
    ):
        value = data.get(field)
        if value is None:
            continue
        if value > ctx.today:
            error(field, DATE_IN_FUTURE)
        elif value < ctx.diagnosis_date:
            error(field, DATE_BEFORE_DIAGNOSIS, date=ctx.diagnosis_date)

    # Each event question: "yes" needs its details, "no" must have none.
    for answer, details in (
        ("distant_progression", ("distant_progression_date", "distant_progression_sites")),
        (
            "locoregional_recurrence",
            ("locoregional_recurrence_date", "locoregional_recurrence_site"),
        ),
    ):
        if data.get(answer) is None:
            error(answer, REQUIRED)
        for field in details:
            if data.get(answer) and not data.get(field):
                error(field, REQUIRED)
            elif data.get(answer) is False and data.get(field):
                error(field, ONLY_WITH_EVENT)

    vital = data.get("vital_status")
    death_date = data.get("death_date")
    if not vital:
        error("vital_status", REQUIRED)
    elif vital == Visit.VitalStatus.ALIVE:
        if not data.get("last_known_alive"):
            error("last_known_alive", REQUIRED)
        for field in ("death_date", "death_cause"):
            if data.get(field):
                error(field, NOT_WHEN_ALIVE)
    else:
        for field in ("death_date", "death_cause"):
            if not data.get(field):
                error(field, REQUIRED)

    if death_date is not None and "death_date" not in errors:
        progression = data.get("distant_progression_date")
        recurrence = data.get("locoregional_recurrence_date")
        if progression is not None and death_date < progression:
            error("death_date", DEATH_BEFORE_PROGRESSION, date=progression)
        if recurrence is not None and death_date < recurrence:
            error("death_date", DEATH_BEFORE_RECURRENCE, date=recurrence)
        alive = data.get("last_known_alive")
        if alive is not None and alive > death_date:
            error("last_known_alive", ALIVE_AFTER_DEATH, date=death_date)

    if not errors:
        # The outcome rules refuse impossible facts too; if they ever disagree with the checks
        # above, the core wins and the form says so at the field it names.
        try:
            endpoints.check_outcome_facts(
                endpoints.OutcomeFacts(
                    diagnosis_date=ctx.diagnosis_date,
                    # No errors: the visit date is given, so this is a date.
                    last_known_alive=cast(
                        dt.date, data.get("last_known_alive") or death_date or visit_date
                    ),
                    last_disease_assessment=visit_date,
                    death_date=death_date,
                    distant_progression_date=data.get("distant_progression_date"),
                    locoregional_recurrence_date=data.get("locoregional_recurrence_date"),
                )
            )
        except ValueError as exc:
            field, _sep, message = str(exc).partition(": ")
            error(field if field in data else "visit_date", message)
    return errors


YES_NO = [("", "---------"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VisitForm(ReasonForChangeMixin, forms.ModelForm):
    distant_progression = forms.TypedChoiceField(
        label=_("Distant progression since the last visit?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    distant_progression_sites = forms.MultipleChoiceField(
        label=_("Sites of distant progression"),
        choices=DISTANT_SITE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    locoregional_recurrence = forms.TypedChoiceField(
        label=_("Locoregional recurrence since the last visit?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = list(CRF_FIELDS)
        widgets = {
            field: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for field in (
                "visit_date",
                "last_known_alive",
                "distant_progression_date",
                "locoregional_recurrence_date",
                "death_date",
            )
        } | {
            "outside_window_reason": forms.Textarea(attrs={"rows": 2}),
            "death_cause_detail": forms.Textarea(attrs={"rows": 2}),
            "systemic_therapy": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, context: VisitContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.fields["visit_date"].required = True
        self.fields["vital_status"].required = True
        self.fields["version"].initial = (
            self.instance.version if self.instance.pk is not None else NO_FORM_YET
        )
        if self.instance.pk is not None:
            for answer in ("distant_progression", "locoregional_recurrence"):
                value = getattr(self.instance, answer)
                self.initial[answer] = {True: "yes", False: "no"}.get(value, "")
        if not self.is_correction:
            del self.fields["reason"]
        # A locked visit is read-only (audit.forms); the reason stays this form's own rule.
        self.setup_reason_for_change()
        if "reason" in self.fields:
            self.fields["reason"].required = False

    @property
    def is_correction(self) -> bool:
        # A visit form exists only once the visit was recorded: any change corrects it.
        return self.instance.pk is not None

    def clean(self) -> dict[str, Any]:
        self.check_not_locked()
        cleaned = super().clean() or {}
        already = set(self.errors)
        for field, messages in visit_errors(cleaned, self.context).items():
            if field in already:
                continue
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        if self.is_correction and cleaned.get("version") == NO_FORM_YET:
            # Opened before the visit was recorded, and someone recorded it meanwhile.
            self.add_error(None, str(STALE_RECORD))
        if self.is_correction and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_FOR_CHANGE)
        return cleaned


class MissedVisitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why did the visit not take place?"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
