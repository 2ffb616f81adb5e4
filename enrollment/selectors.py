"""Screening and participant reads, always scoped to the user's sites (access.scoping)."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.roles import Action
from access.scoping import get_for_user_or_404

from . import eligibility
from .labels import CRITERION_LABELS
from .models import Participant, Screening

SCREENING_NUMBER = re.compile(r"^\s*S?-?0*(\d+)\s*$", re.IGNORECASE)
FACTS_INCONSISTENT = _("The checklist cannot be judged until the errors above are corrected.")


@dataclass(frozen=True)
class CriterionRow:
    code: str
    label: str | Promise  # in the reader's language (enrollment.labels)
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
            CriterionRow(c, CRITERION_LABELS[c], _kind(c), eligibility.STATUS_MISSING)
            for c in eligibility.CRITERIA
        )
        return Checklist(rows=rows, eligible=None, error=str(FACTS_INCONSISTENT))
    rows = tuple(
        CriterionRow(code, CRITERION_LABELS[code], _kind(code), status) for code, status in judged
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


def _person_matches(q: str) -> QuerySet[Screening, Any]:
    """Screening ids whose initials or hospital number contain `q`, or whose number is `q`."""
    condition = Q(initials__icontains=q) | Q(hospital_number__icontains=q)
    number = SCREENING_NUMBER.match(q)
    if number:
        condition |= Q(pk=int(number.group(1)))
    return Screening.objects.filter(condition).order_by().values("pk")


def _study_id_matches(q: str) -> QuerySet[Participant]:
    return Participant.objects.filter(study_id__icontains=q).order_by()


# A search is a union of id sets, each found through its own index (trigram indexes on
# PostgreSQL, migration enrollment 0003), rather than one OR across a join, which no index
# can serve and which scans every participant of the site.


def _search_screenings(queryset: QuerySet[Screening], q: str) -> QuerySet[Screening]:
    q = q.strip()
    if not q:
        return queryset
    by_study_id = _study_id_matches(q).filter(screening__isnull=False).values("screening_id")
    return queryset.filter(pk__in=_person_matches(q).union(by_study_id))


def _search_participants(queryset: QuerySet[Participant], q: str) -> QuerySet[Participant]:
    q = q.strip()
    if not q:
        return queryset
    by_person = Participant.objects.filter(screening__in=_person_matches(q)).order_by()
    return queryset.filter(pk__in=_study_id_matches(q).values("pk").union(by_person.values("pk")))


def screening_list(
    *,
    user: Any,
    q: str = "",
    site: Any = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Screening]:
    queryset: QuerySet[Screening] = Screening.objects.for_user(
        user, Action.VIEW_PARTICIPANTS
    ).select_related("site", "participant")
    queryset = _search_screenings(queryset, q)
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
    queryset: QuerySet[Participant] = Participant.objects.for_user(
        user, Action.VIEW_PARTICIPANTS
    ).select_related("site", "screening", "off_study")
    queryset = _search_participants(queryset, q)
    if site:
        queryset = queryset.filter(site=site)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(enrolment_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(enrolment_date__lte=date_to)
    # (site, sequence) is the order of the unique index participant_site_sequence: the first
    # page is read off the index instead of sorting every participant of the user's sites.
    return queryset.order_by("site_id", "sequence")


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
