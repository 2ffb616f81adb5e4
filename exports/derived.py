"""What the rules compute per screening and per participant, stored when the facts change.

The core computes (`enrollment.eligibility`, `followup.endpoints`, `assessments.biomarkers`,
and the signed-arm definitions of `arms.models`); this module only gathers the facts and
stores the results with their rules version (`exports.models.ScreeningVerdict`,
`exports.models.ParticipantOutcome`), so that the screening and analysis exports read them
with COPY like any other column instead of calling the rules row by row.

One refresh function per kind, set-based over a list of ids (a fixed number of queries per
batch, whatever the number of visits):

- `refresh_eligibility(screening_ids=...)`: the eligibility verdict of each screening;
- `refresh_outcomes(participant_ids=...)`: each participant's analysis values (outcome facts
  and OS / distant PFS / locoregional PFS with their events, biomarker categories, first and
  current signed arm).

The use cases of `workflow.services` that change those facts call them in their own
transaction; `manage.py recompute_derived` recomputes everything (or what another rules
version stored) after a change of the rules. They are not user actions, so they check no
right: their callers have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from typing import Any, cast

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from arms.models import FIRST_SIGNED, ArmAssignment
from assessments import biomarkers
from audit.csv_writer import formula_free_fields, safe_cell
from enrollment import eligibility
from enrollment.models import MetastaticSite, Participant, Screening
from followup import endpoints
from followup.models import Visit
from safety.models import DeathReport

from .models import ParticipantOutcome, ScreeningVerdict

BATCH = 2_000  # screenings or participants per refresh

# The versions the stored rows are computed by: a row of another version is stale.
ELIGIBILITY_RULES_VERSION = f"eligibility-{eligibility.RULES_VERSION}"
OUTCOME_RULES_VERSION = f"endpoints-{endpoints.RULES_VERSION};biomarkers-{biomarkers.RULES_VERSION}"

_SITE_ORDER = {code: i for i, code in enumerate(MetastaticSite.values)}


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def site_codes(codes: Iterable[str]) -> str:
    """Metastatic site codes in the spec's order (visceral first), unknown codes last, joined
    as the export writes them (`joined`)."""
    return joined(sorted(codes, key=lambda c: (_SITE_ORDER.get(c, len(_SITE_ORDER)), c)))


def joined(codes: Iterable[str]) -> str:
    """A list of codes as the verdict and outcome rows store it and the export writes it:
    `code1;code2`, empty for none. Stored so, a file's column is the table's column."""
    return ";".join(codes)


# --- Eligibility ------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def eligibility_values(screening: Screening) -> dict[str, Any]:
    """The verdict's fields for one screening, as `enrollment.eligibility.evaluate` judges its
    facts (`Screening.facts`). A checklist the rules cannot judge (a unit they do not know)
    keeps its raw lab values and no verdict."""
    values: dict[str, Any] = {
        "metastasis_confirmed_by": "",
        "anc": _float(screening.anc),
        "platelets": _float(screening.platelets),
        "hemoglobin": _float(screening.hemoglobin),
        "bilirubin_uln": None,
        "ast_uln": None,
        "alt_uln": None,
        "creatinine_uln": None,
        "metastatic_sites": site_codes(screening.metastases or {}),
        "eligible": None,
        "failed": "",
        "missing": "",
        "age_at_screening": None,
    }
    try:
        facts = screening.facts()
        verdict = eligibility.evaluate(facts)
    except ValueError:
        pass
    else:
        values.update(
            metastasis_confirmed_by=facts.metastasis_confirmed_by or "",
            anc=facts.anc,
            platelets=facts.platelets,
            hemoglobin=facts.hemoglobin,
            bilirubin_uln=facts.bilirubin_uln,
            ast_uln=facts.ast_uln,
            alt_uln=facts.alt_uln,
            creatinine_uln=facts.creatinine_uln,
            metastatic_sites=site_codes(facts.metastatic_sites),
            eligible=verdict.eligible,
            failed=joined(verdict.failed),
            missing=joined(verdict.missing),
        )
    if screening.birth_date and screening.screening_date:
        values["age_at_screening"] = eligibility.completed_years(
            screening.birth_date, screening.screening_date
        )
    return values


def refresh_eligibility(*, screening_ids: Collection[int]) -> int:
    """Compute and store the eligibility verdict of these screenings: one read, one upsert
    per batch. Returns how many it stored."""
    stored = 0
    now = timezone.now()
    for ids in batched(sorted(set(screening_ids)), BATCH):
        rows = [
            ScreeningVerdict(
                screening_id=screening.pk,
                rules_version=ELIGIBILITY_RULES_VERSION,
                computed_at=now,
                **eligibility_values(screening),
            )
            for screening in Screening.objects.filter(pk__in=ids).order_by()
        ]
        _upsert(ScreeningVerdict, rows, "screening")
        stored += len(rows)
    return stored


# --- Outcomes ---------------------------------------------------------------------------------


def _visit_facts(participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """One aggregate query: each participant's outcome facts from the follow-up CRFs."""
    disease_known = Q(distant_progression__isnull=False) | Q(locoregional_recurrence__isnull=False)
    rows = (
        Visit.objects.filter(participant_id__in=participant_ids)
        .values("participant_id")
        .annotate(
            alive_recorded=Max("last_known_alive"),
            alive_seen=Max("visit_date", filter=Q(vital_status=Visit.VitalStatus.ALIVE)),
            # Every visit form is a visit that took place (done, or unscheduled).
            disease_assessed=Max("visit_date", filter=disease_known),
            distant=Min("distant_progression_date"),
            locoregional=Min("locoregional_recurrence_date"),
        )
        .order_by()
    )
    # Plain dicts: the plugin's row type knows the literal names, not the aggregates.
    return {r.pop("participant_id"): r for r in cast("Iterable[dict[str, Any]]", rows)}


def _deaths(participant_ids: list[int]) -> dict[int, dt.date]:
    """Each participant's date of death, from the death report (its single source)."""
    rows = DeathReport.objects.filter(participant_id__in=participant_ids).values_list(
        "participant_id", "death_date"
    )
    return dict(cast("Iterable[tuple[int, dt.date]]", rows))


def _signed_arms(participant_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(first, current) signed arm per participant; the current arm is the signed assignment
    of the latest assessment (spec section 3). The definitions of `arms.models` (`signed()`,
    `FIRST_SIGNED`), read as one ordered scan: the first row of a participant is the first
    arm, the last the current one."""
    arms: dict[int, tuple[int, int]] = {}
    signed = (
        ArmAssignment.objects.signed()
        .filter(participant_id__in=participant_ids)
        .order_by("participant_id", *FIRST_SIGNED)
        .values_list("participant_id", "confirmed_arm")
    )
    # A signed assignment has its confirmed arm.
    for participant_id, arm in cast("Iterable[tuple[int, int]]", signed):
        first = arms.get(participant_id, (arm, arm))[0]
        arms[participant_id] = (first, arm)
    return arms


def outcome_facts(
    *,
    diagnosis: dt.date,
    enrolment: dt.date,
    visits: dict[str, Any] | None,
    death_date: dt.date | None = None,
) -> endpoints.OutcomeFacts:
    visits = visits or {}
    alive = [d for d in (enrolment, visits.get("alive_recorded"), visits.get("alive_seen")) if d]
    return endpoints.OutcomeFacts(
        diagnosis_date=diagnosis,
        last_known_alive=max(alive),
        last_disease_assessment=visits.get("disease_assessed"),
        death_date=death_date,
        distant_progression_date=visits.get("distant"),
        locoregional_recurrence_date=visits.get("locoregional"),
    )


# What the analysis row copies from the participant and her baseline, as stored.
COPIED_FROM_PARTICIPANT = ("study_id", "site_id", "enrolment_date", "diagnosis_date", "status")
COPIED_FROM_BASELINE = (
    "histology",
    "grade",
    "er_percent",
    "pr_percent",
    "her2_ihc",
    "her2_ish",
    "ki67_percent",
    "clinical_t",
    "clinical_n",
    "menopausal_status",
)
_PARTICIPANT_FIELDS = (
    "pk",
    *COPIED_FROM_PARTICIPANT,
    *(f"baseline__{name}" for name in COPIED_FROM_BASELINE),
    "screening__metastases",
)


def outcome_values(
    row: dict[str, Any],
    visits: dict[str, Any] | None,
    arms: tuple[int, int] | None,
    death_date: dt.date | None = None,
) -> dict[str, Any]:
    """The analysis row's fields for one participant (a row of `_PARTICIPANT_FIELDS`): her
    copied columns and what the rules compute from them."""
    copied = {name: row[name] for name in COPIED_FROM_PARTICIPANT}
    copied.update({name: row[f"baseline__{name}"] for name in COPIED_FROM_BASELINE})
    er, pr, her2_ihc, her2_ish = (
        copied[name] for name in ("er_percent", "pr_percent", "her2_ihc", "her2_ish")
    )
    first_arm, current_arm = arms or (None, None)
    facts = outcome_facts(
        diagnosis=row["diagnosis_date"],
        enrolment=row["enrolment_date"],
        visits=visits,
        death_date=death_date,
    )
    values: dict[str, Any] = {
        **copied,
        "first_arm": first_arm,
        "current_arm": current_arm,
        "er_status": biomarkers.hormone_receptor_category(er) or "",
        "pr_status": biomarkers.hormone_receptor_category(pr) or "",
        "her2_status": (biomarkers.her2_category(her2_ihc, her2_ish or None) or "")
        if her2_ihc
        else "",
        "metastatic_sites": site_codes(row["screening__metastases"] or {}),
        "last_known_alive": facts.last_known_alive,
        "last_disease_assessment": facts.last_disease_assessment,
        "death_date": facts.death_date,
        "distant_progression_date": facts.distant_progression_date,
        "locoregional_recurrence_date": facts.locoregional_recurrence_date,
    }
    try:
        os_ = endpoints.overall_survival(facts)
        dpfs = endpoints.distant_pfs(facts)
        lrpfs = endpoints.locoregional_pfs(facts)
    except ValueError:
        # The rules refuse inconsistent facts; the outcome cells stay empty.
        return values
    values.update(
        os_days=os_.days,
        os_event=os_.event,
        dpfs_days=dpfs.days,
        dpfs_event=dpfs.event,
        lrpfs_days=lrpfs.days,
        lrpfs_event=lrpfs.event,
    )
    return values


def refresh_outcomes(*, participant_ids: Collection[int]) -> int:
    """Compute and store the analysis values of these participants: per batch, one read of
    the participants, one aggregate of their visits, one scan of their signed arms and one
    upsert. Returns how many it stored."""
    stored = 0
    now = timezone.now()
    for ids in batched(sorted(set(participant_ids)), BATCH):
        visits = _visit_facts(ids)
        arms = _signed_arms(ids)
        deaths = _deaths(ids)
        people = Participant.objects.filter(pk__in=ids).order_by().values(*_PARTICIPANT_FIELDS)
        rows = [
            ParticipantOutcome(
                participant_id=row["pk"],
                rules_version=OUTCOME_RULES_VERSION,
                computed_at=now,
                **outcome_values(
                    row, visits.get(row["pk"]), arms.get(row["pk"]), deaths.get(row["pk"])
                ),
            )
            for row in cast("Iterable[dict[str, Any]]", people)
        ]
        _upsert(ParticipantOutcome, rows, "participant")
        stored += len(rows)
    return stored


# --- Storing ----------------------------------------------------------------------------------


def _upsert(model: Any, rows: list[Any], key: str) -> None:
    """Insert or update `rows`; their formula-free columns (codes, copies of coded fields) are
    stored as the export writes a cell (`safe_cell`), so that a source value that is not a
    code is escaped here rather than refused by the column's CHECK (`FormulaFree`)."""
    guarded = formula_free_fields(model)
    for row in rows:
        for name in guarded:
            setattr(row, name, safe_cell(getattr(row, name)))
    if rows:
        fields = [f.name for f in model._meta.concrete_fields if f.name != key]
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=[key], update_fields=fields
        )


def stale_screenings() -> QuerySet[Screening]:
    """Screenings without a verdict, or with one of another rules version."""
    return Screening.objects.exclude(verdict__rules_version=ELIGIBILITY_RULES_VERSION)


def stale_participants() -> QuerySet[Participant]:
    """Participants without an analysis row, with one of another rules version, or with one
    that lacks the copied columns (written by code older than them)."""
    return Participant.objects.filter(
        ~Q(outcome__rules_version=OUTCOME_RULES_VERSION) | Q(outcome__study_id__isnull=True)
    )


def recompute(*, stale_only: bool = False) -> dict[str, int]:
    """Recompute every stored verdict and outcome (after a change of the rules), or only the
    missing and stale ones. Returns how many of each it stored."""
    screenings = stale_screenings() if stale_only else Screening.objects.all()
    participants = stale_participants() if stale_only else Participant.objects.all()
    counts = {"screenings": 0, "participants": 0}
    for ids in batched(screenings.order_by("pk").values_list("pk", flat=True).iterator(), BATCH):
        counts["screenings"] += refresh_eligibility(screening_ids=ids)
    for ids in batched(participants.order_by("pk").values_list("pk", flat=True).iterator(), BATCH):
        counts["participants"] += refresh_outcomes(participant_ids=ids)
    return counts
