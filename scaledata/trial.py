"""A synthetic trial at scale: N participants through every stage, written by bulk inserts.

Each enrolled participant gets what the workflow would have given her: an eligible screening
(judged by `enrollment.eligibility.evaluate`), a study ID from her site's counter, a baseline
with a breast and a liver target, a first therapy line, the follow-up visits of
`followup.schedule.visit_schedule` (a recorded visit form, complete, for each one past whose
window closed, but one in ten missed), and, once two months have passed, a completed response
assessment judged by `assessments.services.compartment_response` with the arm
`arms.rules.assign_arm` proposes (most of them signed by the site's investigator). Some
screenings failed (ECOG 3) and some are still open, for the screening log.

The services are not called: they write one row (and its history) at a time, and 100,000
participants would take hours. The rows are built as model instances, so every default
applies, and inserted by PostgreSQL's COPY (bulk_create elsewhere) with primary keys reserved
from the tables' sequences, so children can name their parents without a read-back. COPY reads
the attributes as they stand, without `pre_save`: each row is given its participant's study ID
(enrollment.fields) when it is built, as it is given her key.
The history tables are not filled: the synthetic rows have no past.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from access.models import Site
from arms.models import ArmAssignment
from arms.rules import RULES_VERSION, assign_arm
from assessments import recist
from assessments.models import (
    Baseline,
    BaselineLesion,
    LesionMeasurement,
    ResponseAssessment,
    TherapyLine,
)
from assessments.services import LesionEntry, compartment_response
from audit.models import CrfStatus, ElectronicSignature
from enrollment import eligibility
from enrollment.models import Participant, Screening, StudyIdCounter
from enrollment.services import study_id_for
from exports.models import ParticipantOutcome, ScreeningVerdict
from followup import schedule
from followup.models import PlannedVisit, Visit
from notifications.models import Notification
from safety.models import AdverseEvent, CtcaeTerm, DeathReport, Radiotherapy

CHUNK = 2_000
# A response assessment comes two to four months after enrolment (after first-line therapy).
ASSESSMENT_AFTER_DAYS = (60, 120)
# Each overall response is reached from the 30 mm breast / 20 mm liver baseline by one factor.
SIZE_FACTOR = {
    recist.CR: Decimal("0"),
    recist.PR: Decimal("0.5"),
    recist.SD: Decimal("0.95"),
    recist.PD: Decimal("1.5"),
}
RESPONSES = tuple(SIZE_FACTOR)
SIGNATURE_MEANING = "I confirm the arm proposed by the protocol's rules."
RECORD_TYPE = "arms.armassignment"


@dataclass
class TrialCounts:
    participants: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, model: type[models.Model], n: int) -> None:
        label = model._meta.label
        self.rows[label] = self.rows.get(label, 0) + n


# --- Inserting ---------------------------------------------------------------------------------


def reserve_ids(model: type[models.Model], n: int) -> range:
    """`n` fresh primary keys for `model`, taken from its sequence (or past its largest key)."""
    if n == 0:
        return range(0)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
        else:
            first = (model._default_manager.aggregate(m=models.Max("id"))["m"] or 0) + 1
    return range(first, first + n)


def _converters(fields: Sequence[models.Field]) -> list[Callable[[models.Model], Any]]:
    """How each column is written: the attribute as it stands (COPY parses text as the column's
    type), a JSON document, or the one timestamp of this insert for auto_now fields."""
    now = timezone.now()
    converters: list[Callable[[models.Model], Any]] = []
    for f in fields:
        attname = f.attname
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            converters.append(_constant(now))
        elif isinstance(f, models.JSONField):
            converters.append(_json_attribute(attname))
        else:
            converters.append(_attribute(attname))
    return converters


def _constant(value: Any) -> Callable[[models.Model], Any]:
    return lambda obj: value


def _attribute(attname: str) -> Callable[[models.Model], Any]:
    return lambda obj: getattr(obj, attname)


def _json_attribute(attname: str) -> Callable[[models.Model], Any]:
    return lambda obj: _json(getattr(obj, attname))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """COPY FROM STDIN: every concrete field, keys included."""
    fields = list(model._meta.concrete_fields)
    converters = _converters(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for obj in objects:
        row = [convert(obj) for convert in converters]
        writer.writerow([r"\N" if value is None else value for value in row])
    buffer.seek(0)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY \"{model._meta.db_table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


def insert(model: type[models.Model], objects: Sequence[models.Model], counts: TrialCounts) -> None:
    if not objects:
        return
    if connection.vendor == "postgresql":
        _copy(model, objects)
    else:
        model._default_manager.bulk_create(objects, batch_size=500)
    counts.add(model, len(objects))


# --- Building ----------------------------------------------------------------------------------


def _screening(site: Site, rng: random.Random, screening_date: dt.date, **kwargs: Any) -> Screening:
    """A complete checklist of an eligible patient (overridden by `kwargs`)."""
    diagnosis = kwargs.pop("diagnosis_date", screening_date - dt.timedelta(days=20))
    fields: dict[str, Any] = {
        "site": site,
        "initials": "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(2)),
        "hospital_number": f"H{rng.randrange(10**7):07d}",
        "screening_date": screening_date,
        "birth_date": screening_date - dt.timedelta(days=rng.randint(35 * 366, 70 * 365)),
        "sex": eligibility.SEX_FEMALE,
        "diagnosis_date": diagnosis,
        "invasive_carcinoma_confirmed": True,
        "stage_iv_at_diagnosis": True,
        "metastases": {"liver": eligibility.CONFIRMED_BY_IMAGING, "bone": "pathology"},
        "liver_metastasis_count": 1,
        "operable": True,
        "ecog": rng.choice((0, 1, 1, 2)),
        "anc": Decimal("3.2"),
        "anc_unit": "10e9_l",
        "platelets": Decimal("250"),
        "platelets_unit": "10e9_l",
        "hemoglobin": Decimal("12.1"),
        "hemoglobin_unit": "g_dl",
        "bilirubin": Decimal("10"),
        "bilirubin_uln": Decimal("21"),
        "bilirubin_unit": "umol_l",
        "ast": Decimal("30"),
        "ast_uln": Decimal("40"),
        "ast_unit": "u_l",
        "alt": Decimal("28"),
        "alt_uln": Decimal("40"),
        "alt_unit": "u_l",
        "creatinine": Decimal("70"),
        "creatinine_uln": Decimal("97"),
        "creatinine_unit": "umol_l",
        "prior_locoregional_surgery": False,
        "systemic_therapy_start": None,
        "other_primary_malignancy": False,
        "followup_feasible": True,
    }
    fields.update(kwargs)
    return Screening(**fields)


def _baseline_lesions(baseline: Baseline, ids: Iterable[int]) -> list[BaselineLesion]:
    breast_id, liver_id = ids
    return [
        BaselineLesion(
            id=breast_id,
            baseline=baseline,
            study_id=baseline.study_id,
            number=1,
            compartment="primary",
            organ_site="breast",
            kind="target",
            description="Left breast, upper outer quadrant",
            baseline_mm=Decimal("30.0"),
        ),
        BaselineLesion(
            id=liver_id,
            baseline=baseline,
            study_id=baseline.study_id,
            number=2,
            compartment="metastatic",
            organ_site="liver",
            nodal=False,
            kind="target",
            description="Liver segment VI",
            baseline_mm=Decimal("20.0"),
        ),
    ]


def _like(template: models.Model, **attnames: Any) -> Any:
    """A copy of `template` with some attributes changed: Model.__init__ costs most of the
    generator's time when it runs 1.4 million times."""
    obj = template.__class__.__new__(template.__class__)
    obj.__dict__ = {**template.__dict__, **attnames, "_state": ModelState()}
    return obj


_SLOT = PlannedVisit(status=PlannedVisit.Status.OPEN)
# A recorded visit's form is complete, as `followup.services.record_visit` leaves it.
_VISIT = Visit(kind=Visit.Kind.PLANNED, crf_status=CrfStatus.COMPLETE)


def _visits(
    participant: Participant, today: dt.date, rng: random.Random
) -> tuple[list[PlannedVisit], list[Visit]]:
    """The participant's planned visits, and a visit form for each one that took place."""
    slots, forms = [], []
    progressed = rng.random() < 0.2
    for planned in schedule.visit_schedule(participant.diagnosis_date, participant.enrolment_date):
        slot = _like(
            _SLOT,
            participant_id=participant.pk,
            site_id=participant.site_id,
            study_id=participant.study_id,
            code=planned.code,
            target=planned.target,
            window_start=planned.window_start,
            window_end=planned.window_end,
        )
        slots.append(slot)
        if planned.window_end >= today:
            continue
        if rng.random() < 0.1:
            slot.status = PlannedVisit.Status.MISSED
            slot.status_reason = "Patient could not be reached"
            continue
        day = max(planned.target, participant.enrolment_date)
        slot.status = PlannedVisit.Status.DONE
        form = _like(
            _VISIT,
            participant_id=participant.pk,
            study_id=participant.study_id,
            slot=slot,  # named by key once the batch has reserved the slots' keys
            visit_date=day,
            vital_status=Visit.VitalStatus.ALIVE,
            last_known_alive=day,
            distant_progression=progressed,
            distant_progression_date=day if progressed else None,
            distant_progression_sites=["liver"] if progressed else [],
            locoregional_recurrence=False,
            systemic_therapy="Letrozole + palbociclib",
        )
        form.carry_slot(slot)
        forms.append(form)
        progressed = False
    return slots, forms


@dataclass
class _Batch:
    screenings: list[Screening] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)
    lesions: list[BaselineLesion] = field(default_factory=list)
    therapy: list[TherapyLine] = field(default_factory=list)
    assessments: list[ResponseAssessment] = field(default_factory=list)
    measurements: list[LesionMeasurement] = field(default_factory=list)
    signatures: list[ElectronicSignature] = field(default_factory=list)
    assignments: list[ArmAssignment] = field(default_factory=list)
    planned_visits: list[PlannedVisit] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    deaths: list[DeathReport] = field(default_factory=list)
    radiotherapy: list[Radiotherapy] = field(default_factory=list)

    def write(self, counts: TrialCounts) -> None:
        # Parents before children; the planned visits' keys are reserved here, once their
        # number is known, and named by their forms.
        for model, rows in (
            (Screening, self.screenings),
            (Participant, self.participants),
            (Baseline, self.baselines),
            (BaselineLesion, self.lesions),
            (TherapyLine, self.therapy),
            (ResponseAssessment, self.assessments),
            (LesionMeasurement, self.measurements),
            (ElectronicSignature, self.signatures),
            (ArmAssignment, self.assignments),
        ):
            insert(model, rows, counts)
        slots = self.planned_visits
        for slot, pk in zip(slots, reserve_ids(PlannedVisit, len(slots)), strict=True):
            slot.pk = pk
        insert(PlannedVisit, slots, counts)
        for visit, pk in zip(self.visits, reserve_ids(Visit, len(self.visits)), strict=True):
            visit.pk = pk
            visit.planned_visit_id = visit.__dict__.pop("slot").pk
        insert(Visit, self.visits, counts)
        safety: tuple[tuple[type[models.Model], list[Any]], ...] = (
            (AdverseEvent, self.adverse_events),
            (DeathReport, self.deaths),
            (Radiotherapy, self.radiotherapy),
        )
        for safety_model, safety_rows in safety:
            ids = reserve_ids(safety_model, len(safety_rows))
            for row, pk in zip(safety_rows, ids, strict=True):
                row.pk = pk
            insert(safety_model, safety_rows, counts)


def _assess(
    participant: Participant,
    lesions: list[BaselineLesion],
    date: dt.date,
    rng: random.Random,
    ids: Iterable[int],
) -> tuple[ResponseAssessment, list[LesionMeasurement]]:
    assessment_id, *measurement_ids = ids
    primary, metastatic = rng.choice(RESPONSES), rng.choice(RESPONSES)
    entries = {
        lesions[0].pk: LesionEntry(current_mm=lesions[0].baseline_mm * SIZE_FACTOR[primary]),
        lesions[1].pk: LesionEntry(current_mm=lesions[1].baseline_mm * SIZE_FACTOR[metastatic]),
    }
    assessment = ResponseAssessment(
        id=assessment_id,
        participant=participant,
        study_id=participant.study_id,
        assessment_date=date,
        modality=ResponseAssessment.Modality.CT,
        crf_status=CrfStatus.COMPLETE,
        completed_at=timezone.now(),
    )
    for compartment, lesion in (("primary", lesions[0]), ("metastatic", lesions[1])):
        result = compartment_response([lesion], entries, prior_sums_mm=[], new_lesions=False)
        setattr(assessment, f"{compartment}_target", result.target or "")
        setattr(assessment, f"{compartment}_non_target", result.non_target or "")
        setattr(assessment, f"{compartment}_response", result.overall or "")
        setattr(assessment, f"{compartment}_target_sum_mm", result.target_sum_mm)
    measurements = [
        LesionMeasurement(
            id=pk,
            assessment=assessment,
            lesion=lesion,
            study_id=participant.study_id,
            lesion_number=lesion.number,
            assessment_date=date,
            current_mm=e.current_mm,
            crf_status=CrfStatus.COMPLETE,
        )
        for pk, lesion, e in zip(
            measurement_ids,
            lesions,
            (entries[lesions[0].pk], entries[lesions[1].pk]),
            strict=True,
        )
    ]
    return assessment, measurements


def generate_trial(
    *,
    participants: int,
    sites: Sequence[Site],
    today: dt.date | None = None,
    signers: dict[int, Any] | None = None,
    notify: dict[int, Any] | None = None,
    seed: int = 20260101,
    screen_failure_share: float = 0.1,
    open_screening_share: float = 0.02,
    pending_share: float = 0.2,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
) -> TrialCounts:
    """Add `participants` enrolled participants, spread evenly over `sites`, with their records.

    `signers` maps a site's id to the investigator who signs its arms; a site without one
    leaves every proposal pending. `notify` maps a site's id to a user who gets one unread
    notification per ten participants (the bell and the notification list have something to
    show). Deterministic for a given seed and database state.
    """
    today = today or timezone.localdate()
    signers = signers or {}
    notify = notify or {}
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    counts = TrialCounts()
    start = time.perf_counter()
    terms = {t.term: t for t in CtcaeTerm.objects.filter(term__in=SYNTHETIC_EVENTS)}
    counters = {
        site.pk: StudyIdCounter.objects.get_or_create(site=site)[0].last_sequence for site in sites
    }
    for offset in range(0, participants, chunk):
        n = min(chunk, participants - offset)
        with transaction.atomic():
            participants_made = _build_chunk(
                n,
                offset,
                sites,
                today,
                signers,
                rng,
                counters,
                counts,
                shares=(screen_failure_share, open_screening_share, pending_share),
                terms=terms,
            )
            _notify(participants_made, notify, counts)
            for site in sites:
                StudyIdCounter.objects.filter(site=site).update(last_sequence=counters[site.pk])
        counts.participants += n
        if progress:
            progress(f"{offset + n:,} participants ({time.perf_counter() - start:.0f} s)")
    counts.seconds = time.perf_counter() - start
    return counts


def _notify(participants: list[Participant], notify: dict[int, Any], counts: TrialCounts) -> None:
    rows = [
        Notification(
            recipient=notify[p.site_id],
            kind="bench",
            message=f"Visit due for {p.study_id}",
            url=f"/enrollment/participants/{p.study_id}/",
            key=f"bench:{p.pk}",
        )
        for p in participants[::10]
        if p.site_id in notify
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    counts.add(Notification, len(rows))


# Adverse events of the synthetic trial's docetaxel, with the grades they come at.
SYNTHETIC_EVENTS = {
    "Neutrophil count decreased": (2, 3, 4),
    "Fatigue": (1, 2),
    "Alopecia": (1, 2),
    "Nausea": (1, 2),
    "Febrile neutropenia": (3, 4),
    "Peripheral sensory neuropathy": (1, 2, 3),
}
EVENT_SHARE = 0.4
SAE_SHARE = 0.05
DEATH_SHARE = 0.03
RADIOTHERAPY_SHARE = 0.15


def _safety(
    participant: Participant,
    slots: list[PlannedVisit],
    forms: list[Visit],
    today: dt.date,
    rng: random.Random,
    terms: dict[str, CtcaeTerm],
    batch: _Batch,
) -> None:
    """Adverse events (some serious), radiotherapy and, for a few, a death report after the
    last visit, which closes the visits after it (as `workflow.services.record_death` does)."""
    # A recorded visit has its date.
    last: dt.date = (forms[-1].visit_date if forms else None) or participant.enrolment_date
    if terms and rng.random() < EVENT_SHARE and last > participant.enrolment_date:
        name = rng.choice(sorted(terms))
        onset = participant.enrolment_date + dt.timedelta(
            days=rng.randint(0, (last - participant.enrolment_date).days)
        )
        serious = rng.random() < SAE_SHARE / EVENT_SHARE
        batch.adverse_events.append(
            AdverseEvent(
                participant_id=participant.pk,
                study_id=participant.study_id,
                term_id=terms[name].pk,
                # COPY skips pre_save: the term's columns as `AdverseEvent.term_*` carry them.
                term_code=terms[name].meddra_code,
                term_name=terms[name].term,
                term_soc=terms[name].soc,
                grade=rng.choice(SYNTHETIC_EVENTS[name]),
                onset_date=onset,
                ongoing=False,
                resolution_date=onset + dt.timedelta(days=7),
                outcome="recovered",
                hospitalisation=serious,
                serious=serious,
                aware_at=dt.datetime.combine(onset, dt.time(2), dt.UTC) if serious else None,
                relationship_systemic="probable",
                action_taken="none",
                crf_status=CrfStatus.COMPLETE,
            )
        )
    if rng.random() < RADIOTHERAPY_SHARE and last > participant.enrolment_date:
        batch.radiotherapy.append(
            Radiotherapy(
                participant_id=participant.pk,
                study_id=participant.study_id,
                treated_site=Radiotherapy.Site.BONE,
                dose_gy=Decimal("8.00"),
                fractions=1,
                start_date=last,
                end_date=last,
                crf_status=CrfStatus.COMPLETE,
            )
        )
    if forms and rng.random() < DEATH_SHARE:
        death = min(today, last + dt.timedelta(days=rng.randint(1, 60)))
        batch.deaths.append(
            DeathReport(
                participant_id=participant.pk,
                study_id=participant.study_id,
                death_date=death,
                primary_cause=DeathReport.Cause.BREAST_CANCER,
                autopsy=DeathReport.Autopsy.NO,
                information_source=DeathReport.Source.HOSPITAL,
                crf_status=CrfStatus.COMPLETE,
            )
        )
        for slot in slots:
            if slot.status == PlannedVisit.Status.OPEN:
                ended = slot.window_end < death
                slot.status = (
                    PlannedVisit.Status.MISSED if ended else PlannedVisit.Status.NOT_REQUIRED
                )
                slot.status_reason = f"Participant died on {death.isoformat()}."


def _build_chunk(
    n: int,
    offset: int,
    sites: Sequence[Site],
    today: dt.date,
    signers: dict[int, Any],
    rng: random.Random,
    counters: dict[int, int],
    counts: TrialCounts,
    *,
    shares: tuple[float, float, float],
    terms: dict[str, CtcaeTerm],
) -> list[Participant]:
    screen_failure_share, open_screening_share, pending_share = shares
    failures = int(n * screen_failure_share)
    still_open = int(n * open_screening_share)
    batch = _Batch()
    screening_ids = iter(reserve_ids(Screening, n + failures + still_open))
    participant_ids = iter(reserve_ids(Participant, n))
    baseline_ids = iter(reserve_ids(Baseline, n))
    lesion_ids = iter(reserve_ids(BaselineLesion, 2 * n))
    therapy_ids = iter(reserve_ids(TherapyLine, n))
    assessment_ids = iter(reserve_ids(ResponseAssessment, n))
    measurement_ids = iter(reserve_ids(LesionMeasurement, 2 * n))
    signature_ids = iter(reserve_ids(ElectronicSignature, n))
    assignment_ids = iter(reserve_ids(ArmAssignment, n))
    now = timezone.now()

    for i in range(n):
        site = sites[(offset + i) % len(sites)]
        diagnosis = today - dt.timedelta(days=rng.randint(45, 5 * 365))
        screening_date = diagnosis + dt.timedelta(days=rng.randint(7, 30))
        enrolment = min(today, screening_date + dt.timedelta(days=rng.randint(0, 7)))
        screening = _screening(
            site,
            rng,
            screening_date,
            id=next(screening_ids),
            diagnosis_date=diagnosis,
            status=Screening.Status.ENROLLED,
            consent_date=enrolment,
        )
        verdict = eligibility.evaluate(screening.facts(today=today))
        assert verdict.eligible is True, verdict  # noqa: S101 - a generator bug, not input
        counters[site.pk] += 1
        screening.study_id = study_id_for(site, counters[site.pk])
        participant = Participant(
            id=next(participant_ids),
            site=site,
            study_id=screening.study_id,
            sequence=counters[site.pk],
            diagnosis_date=diagnosis,
            enrolment_date=enrolment,
            screening=screening,
        )
        baseline = Baseline(
            id=next(baseline_ids),
            participant=participant,
            study_id=participant.study_id,
            baseline_date=screening_date,
            histology=Baseline.Histology.DUCTAL_NST,
            grade=rng.choice((1, 2, 3)),
            er_percent=rng.choice((0, 5, 80, 95)),
            pr_percent=rng.choice((0, 40, 70)),
            her2_ihc=rng.choice(("0", "1+", "2+", "3+")),
            her2_ish="not_done",
            ki67_percent=rng.randint(5, 60),
            clinical_t="cT2",
            clinical_n="cN1",
            distant_m="cM1",
            menopausal_status=rng.choice(("pre", "post")),
            germline_brca="not_tested",
        )
        lesions = _baseline_lesions(baseline, (next(lesion_ids), next(lesion_ids)))
        therapy = TherapyLine(
            id=next(therapy_ids),
            participant=participant,
            study_id=participant.study_id,
            line_number=1,
            category=TherapyLine.Category.CHEMOTHERAPY,
            agents="Docetaxel",
            start_date=enrolment,
        )
        batch.screenings.append(screening)
        batch.participants.append(participant)
        batch.baselines.append(baseline)
        batch.lesions.extend(lesions)
        batch.therapy.append(therapy)
        slots, forms = _visits(participant, today, rng)
        _safety(participant, slots, forms, today, rng, terms, batch)
        batch.planned_visits.extend(slots)
        batch.visits.extend(forms)

        assessment_date = enrolment + dt.timedelta(days=rng.randint(*ASSESSMENT_AFTER_DAYS))
        if assessment_date >= today:
            continue
        assessment, measurements = _assess(
            participant,
            lesions,
            assessment_date,
            rng,
            (next(assessment_ids), next(measurement_ids), next(measurement_ids)),
        )
        arm = assign_arm(assessment.primary_response, assessment.metastatic_response)
        assignment = ArmAssignment(
            id=next(assignment_ids),
            participant=participant,
            study_id=participant.study_id,
            site=site,
            assessment=assessment,
            assessment_date=assessment_date,
            primary_response=assessment.primary_response,
            metastatic_response=assessment.metastatic_response,
            rules_version=RULES_VERSION,
            proposed_arm=arm.number if arm else None,
        )
        signer = signers.get(site.pk)
        if signer is not None and rng.random() >= pending_share:
            signature = ElectronicSignature(
                id=next(signature_ids),
                signer=signer,
                printed_name=signer.get_full_name() or signer.username,
                signed_at=now,
                meaning=SIGNATURE_MEANING,
                record_type=RECORD_TYPE,
                record_id=assignment.pk,
                record_version=1,
            )
            assignment.status = ArmAssignment.Status.CONFIRMED
            assignment.confirmed_arm = assignment.proposed_arm
            assignment.carry_signature(signature)
            batch.signatures.append(signature)
        batch.assessments.append(assessment)
        batch.measurements.extend(measurements)
        batch.assignments.append(assignment)

    for j in range(failures + still_open):
        site = sites[(offset + j) % len(sites)]
        screening_date = today - dt.timedelta(days=rng.randint(0, 5 * 365))
        if j < failures:
            screening = _screening(site, rng, screening_date, id=next(screening_ids), ecog=3)
            screening.status = Screening.Status.SCREEN_FAILED
            screening.failed_criteria = list(
                eligibility.evaluate(screening.facts(today=today)).failed
            )
            screening.outcome_note = "ECOG 3 at screening"
        else:
            screening = _screening(
                site, rng, today, id=next(screening_ids), ecog=None, followup_feasible=None
            )
        batch.screenings.append(screening)
    batch.write(counts)
    return batch.participants


def touched_tables() -> list[str]:
    """The tables `generate_trial` loads, with the derived tables computed after it."""
    models_loaded = (
        Screening,
        Participant,
        Baseline,
        BaselineLesion,
        TherapyLine,
        ResponseAssessment,
        LesionMeasurement,
        ElectronicSignature,
        ArmAssignment,
        PlannedVisit,
        Visit,
        Notification,
        StudyIdCounter,
        AdverseEvent,
        Radiotherapy,
        DeathReport,
        ScreeningVerdict,
        ParticipantOutcome,
    )
    return [m._meta.db_table for m in models_loaded]


def vacuum_analyze(tables: Sequence[str]) -> bool:
    """VACUUM (ANALYZE) the tables a bulk load wrote (PostgreSQL; nothing elsewhere).

    A freshly bulk-loaded table has no visibility map: every index-only scan (the worklist's
    counts) reads the heap, and the planner has no statistics until autovacuum comes by, if
    it is on. VACUUM cannot run inside a transaction: called inside one (a test's), it only
    ANALYZEs. Returns whether it vacuumed.
    """
    if connection.vendor != "postgresql" or not tables:
        return False
    names = ", ".join(connection.ops.quote_name(t) for t in tables)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {names}")
            return False
        cursor.execute(f"VACUUM (ANALYZE) {names}")
    return True
