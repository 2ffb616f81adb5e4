"""Screening and participant reads, always scoped to the user's sites (access.scoping)."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.roles import Action
from access.scoping import get_for_user_or_404

from . import eligibility
from .models import Participant, Screening

SCREENING_NUMBER = re.compile(r"^\s*S?-?0*(\d+)\s*$", re.IGNORECASE)
FACTS_INCONSISTENT = _("The checklist cannot be judged until the errors above are corrected.")


@dataclass(frozen=True)
class CriterionRow:
    code: str
    label: str
    kind: str  # "inclusion" | "exclusion"
    status: str  # eligibility.STATUS_MET / STATUS_FAILED / STATUS_MISSING


@dataclass(frozen=True)
class Checklist:
    rows: tuple[CriterionRow, ...]
    eligible: bool | None
    error: str = ""
    # The lab values as the rules saw them: (label, value, unit), e.g. ("AST", 0.75, "× ULN").
    labs: tuple[tuple[str, float, str], ...] = ()

    @property
    def failed(self) -> tuple[CriterionRow, ...]:
        return tuple(r for r in self.rows if r.status == eligibility.STATUS_FAILED)

    @property
    def missing(self) -> tuple[CriterionRow, ...]:
        return tuple(r for r in self.rows if r.status == eligibility.STATUS_MISSING)


def _kind(code: str) -> str:
    return "inclusion" if code in eligibility.INCLUSION_CRITERIA else "exclusion"


def screening_checklist(screening: Screening, *, today: dt.date) -> Checklist:
    """Every criterion with its status, as judged by the rules on the screening's facts."""
    try:
        facts = screening.facts(today=today)
        judged = eligibility.judge(facts)
        verdict = eligibility.evaluate(facts)
    except ValueError:
        rows = tuple(
            CriterionRow(c, eligibility.CRITERION_LABELS[c], _kind(c), eligibility.STATUS_MISSING)
            for c in eligibility.CRITERIA
        )
        return Checklist(rows=rows, eligible=None, error=str(FACTS_INCONSISTENT))
    rows = tuple(
        CriterionRow(code, eligibility.CRITERION_LABELS[code], _kind(code), status)
        for code, status in judged
    )
    return Checklist(rows=rows, eligible=verdict.eligible, labs=_labs_as_judged(facts))


def _labs_as_judged(facts: eligibility.ScreeningFacts) -> tuple[tuple[str, float, str], ...]:
    values = (
        (_("ANC"), facts.anc, "×10⁹/L"),
        (_("Platelets"), facts.platelets, "×10⁹/L"),
        (_("Hemoglobin"), facts.hemoglobin, "g/dL"),
        (_("Bilirubin"), facts.bilirubin_uln, "× ULN"),
        (_("AST"), facts.ast_uln, "× ULN"),
        (_("ALT"), facts.alt_uln, "× ULN"),
        (_("Creatinine"), facts.creatinine_uln, "× ULN"),
    )
    return tuple((str(label), value, unit) for label, value, unit in values if value is not None)


def _search(queryset: QuerySet, q: str, *, prefix: str = "") -> QuerySet:
    q = q.strip()
    if not q:
        return queryset
    condition = (
        Q(**{f"{prefix}initials__icontains": q})
        | Q(**{f"{prefix}hospital_number__icontains": q})
        | Q(**{f"{'participant__' if not prefix else ''}study_id__icontains": q})
    )
    number = SCREENING_NUMBER.match(q)
    if number:
        condition |= Q(**{f"{prefix}pk": int(number.group(1))})
    return queryset.filter(condition)


def screening_list(
    *,
    user: Any,
    q: str = "",
    site: Any = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Screening]:
    queryset = Screening.objects.for_user(user, Action.VIEW_PARTICIPANTS).select_related(
        "site", "participant"
    )
    queryset = _search(queryset, q)
    if site:
        queryset = queryset.filter(site=site)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(screening_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(screening_date__lte=date_to)
    return queryset.order_by("-screening_date", "-id")


def participant_list(
    *,
    user: Any,
    q: str = "",
    site: Any = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Participant]:
    queryset = Participant.objects.for_user(user, Action.VIEW_PARTICIPANTS).select_related(
        "site", "screening", "off_study"
    )
    queryset = _search(queryset, q, prefix="screening__")
    if site:
        queryset = queryset.filter(site=site)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(enrolment_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(enrolment_date__lte=date_to)
    return queryset.order_by("site__code", "sequence")


def screening_for(*, user: Any, pk: int, action: Action = Action.VIEW_PARTICIPANTS) -> Screening:
    return get_for_user_or_404(
        Screening.objects.select_related("site", "participant"), user, action, pk=pk
    )


def participant_for(
    *, user: Any, study_id: str, action: Action = Action.VIEW_PARTICIPANTS
) -> Participant:
    return get_for_user_or_404(
        Participant.objects.select_related("site", "screening", "off_study"),
        user,
        action,
        study_id=study_id,
    )
