"""Demo screenings: about one in five a screen failure for a realistic reason, the rest enrolled
through the real services, by each site's demo coordinator. Deterministic for a given rng."""

import datetime as dt
import random
import string
from decimal import Decimal

from access.models import Membership, Site, User
from access.roles import Role
from enrollment import services
from enrollment.models import Confirmation, Participant, Screening
from workflow import services as workflow

# A screen failure for every four enrolments: about 20 % of screenings fail.
FAILURES_PER_ENROLMENT = 0.25
# A few screenings per site are left in progress, as on any working day.
IN_PROGRESS_PER_SITE = 2
SCREENING_SPAN_DAYS = 720

# Realistic reasons for a screen failure, with their note; "declined" fails no criterion.
FAILURES = (
    ("ecog", "ECOG 3: mostly confined to bed."),
    ("visceral", "Liver, lung and brain metastases: more than two visceral organs."),
    ("surgery", "Mastectomy at another hospital before referral."),
    ("age", "Aged over 75."),
    ("other_primary", "Previous colorectal cancer."),
    ("neutropenia", "ANC 0.9 x 10^9/L."),
    ("followup", "Lives abroad; cannot attend follow-up."),
    ("not_de_novo", "Metastatic relapse of an earlier early-stage cancer, not de novo."),
    ("declined", "Patient declined to take part."),
)


def _coordinator(site: Site) -> User:
    membership = (
        Membership.objects.filter(site=site, role=Role.COORDINATOR)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if membership:
        return membership.user
    user, _created = User.objects.get_or_create(username=f"coordinator_{site.code.lower()}")
    Membership.objects.get_or_create(user=user, site=site, role=Role.COORDINATOR)
    return user


def _d(rng: random.Random, low: float, high: float, places: int = 1) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), places)))


def _eligible_screening(rng: random.Random, site: Site, screening_date: dt.date) -> Screening:
    diagnosis = screening_date - dt.timedelta(days=rng.randint(7, 120))
    age = rng.randint(28, 72)
    birth = dt.date(screening_date.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
    metastases = {"bone": Confirmation.IMAGING}
    liver_count = 0
    for code in rng.sample(["lung", "liver", "distant_lymph_node", "pleura"], rng.randint(0, 2)):
        metastases[code] = rng.choice([Confirmation.PATHOLOGY, Confirmation.IMAGING])
    if "liver" in metastases:
        liver_count = rng.randint(1, 4)
    systemic = None
    if rng.random() < 0.4:
        systemic = min(diagnosis + dt.timedelta(days=rng.randint(5, 40)), screening_date)
    return Screening(
        site=site,
        initials="".join(rng.choice(string.ascii_uppercase) for _ in range(2)),
        hospital_number=f"{site.code}{rng.randint(100000, 999999)}",
        screening_date=screening_date,
        birth_date=birth,
        sex="female",
        diagnosis_date=diagnosis,
        invasive_carcinoma_confirmed=True,
        stage_iv_at_diagnosis=True,
        metastases=metastases,
        liver_metastasis_count=liver_count,
        operable=True,
        ecog=rng.choice([0, 0, 1, 1, 2]),
        anc=_d(rng, 1.8, 6.5),
        anc_unit="10e9_l",
        platelets=_d(rng, 140, 380, 0),
        platelets_unit="10e9_l",
        hemoglobin=_d(rng, 10.0, 14.5),
        hemoglobin_unit="g_dl",
        bilirubin=_d(rng, 4, 18),
        bilirubin_uln=Decimal("21"),
        bilirubin_unit="umol_l",
        ast=_d(rng, 12, 45, 0),
        ast_uln=Decimal("40"),
        ast_unit="u_l",
        alt=_d(rng, 10, 45, 0),
        alt_uln=Decimal("40"),
        alt_unit="u_l",
        creatinine=_d(rng, 45, 95, 0),
        creatinine_uln=Decimal("97"),
        creatinine_unit="umol_l",
        prior_locoregional_surgery=False,
        systemic_therapy_start=systemic,
        other_primary_malignancy=False,
        followup_feasible=True,
    )


def _make_ineligible(screening: Screening, kind: str, rng: random.Random) -> None:
    if kind == "ecog":
        screening.ecog = 3
    elif kind == "visceral":
        screening.metastases = {
            "liver": Confirmation.IMAGING,
            "lung": Confirmation.IMAGING,
            "brain": Confirmation.IMAGING,
        }
        screening.liver_metastasis_count = rng.randint(1, 3)
    elif kind == "surgery":
        screening.prior_locoregional_surgery = True
    elif kind == "age":
        sd = screening.screening_date
        screening.birth_date = dt.date(sd.year - rng.randint(77, 84), sd.month, 1)
    elif kind == "other_primary":
        screening.other_primary_malignancy = True
    elif kind == "neutropenia":
        screening.anc = Decimal("0.9")
    elif kind == "followup":
        screening.followup_feasible = False
    elif kind == "not_de_novo":
        screening.stage_iv_at_diagnosis = False


def seed(*, rng: random.Random, today: dt.date, participants: int) -> str:
    if Participant.objects.exists():
        return "participants already exist; nothing done"
    sites = list(Site.objects.order_by("code"))
    if not sites:
        return "no sites; nothing done"
    coordinators = {site.pk: _coordinator(site) for site in sites}
    failures = round(participants * FAILURES_PER_ENROLMENT)
    plan = ["enrol"] * participants + [FAILURES[i % len(FAILURES)][0] for i in range(failures)]
    rng.shuffle(plan)
    plan += ["in_progress"] * (IN_PROGRESS_PER_SITE * len(sites))
    # Screening dates rise through the plan, so study IDs follow the calendar.
    offsets = sorted((rng.randint(0, SCREENING_SPAN_DAYS) for _ in plan), reverse=True)
    notes = dict(FAILURES)
    enrolled = failed = in_progress = 0
    for i, (kind, offset) in enumerate(zip(plan, offsets, strict=True)):
        site = sites[i % len(sites)]
        user = coordinators[site.pk]
        screening_date = today - dt.timedelta(days=offset if kind != "in_progress" else 0)
        screening = _eligible_screening(rng, site, screening_date)
        if kind == "in_progress":
            screening.ecog = None
            screening.anc = screening.platelets = screening.hemoglobin = None
        elif kind != "enrol":
            _make_ineligible(screening, kind, rng)
        workflow.save_screening(screening=screening, user=user, today=today)
        if kind == "enrol":
            consent = min(screening_date + dt.timedelta(days=rng.randint(0, 7)), today)
            workflow.enrol(screening=screening, user=user, consent_date=consent, today=today)
            enrolled += 1
        elif kind == "in_progress":
            in_progress += 1
        else:
            services.screen_fail(screening=screening, user=user, note=notes[kind], today=today)
            failed += 1
    return (
        f"{enrolled + failed + in_progress} screenings: {enrolled} enrolled, "
        f"{failed} screen failures, {in_progress} in progress"
    )
