import datetime as dt
import itertools
from decimal import Decimal

import factory

from enrollment.models import Participant, Screening
from tests.factories.access import SiteFactory
from workflow import services as workflow

# Screening happened a month ago, diagnosis six weeks before that: valid whatever the clock.
TODAY = dt.date.today() - dt.timedelta(days=30)
DIAGNOSIS = TODAY - dt.timedelta(days=45)


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A complete screening of an eligible patient, screened on TODAY."""

    class Meta:
        model = Screening

    site = factory.SubFactory(SiteFactory)
    initials = factory.Sequence(lambda n: "AB" if n % 2 else "CD")
    hospital_number = factory.Sequence(lambda n: f"H{n:06d}")
    screening_date = TODAY
    birth_date = dt.date(1970, 3, 1)
    sex = "female"
    diagnosis_date = DIAGNOSIS
    invasive_carcinoma_confirmed = True
    stage_iv_at_diagnosis = True
    metastases = factory.LazyFunction(lambda: {"bone": "imaging", "lung": "pathology"})
    liver_metastasis_count = 0
    operable = True
    ecog = 1
    anc = Decimal("3.2")
    anc_unit = "10e9_l"
    platelets = Decimal("250")
    platelets_unit = "10e9_l"
    hemoglobin = Decimal("12.1")
    hemoglobin_unit = "g_dl"
    bilirubin = Decimal("10")
    bilirubin_uln = Decimal("21")
    bilirubin_unit = "umol_l"
    ast = Decimal("30")
    ast_uln = Decimal("40")
    ast_unit = "u_l"
    alt = Decimal("28")
    alt_uln = Decimal("40")
    alt_unit = "u_l"
    creatinine = Decimal("70")
    creatinine_uln = Decimal("97")
    creatinine_unit = "umol_l"
    prior_locoregional_surgery = False
    systemic_therapy_start = None
    other_primary_malignancy = False
    followup_feasible = True


_direct_sequence = itertools.count(1)
# Dates of a participant registered directly (without a screening), for the later apps' tests.
DIRECT_DIAGNOSIS = dt.date(2026, 1, 5)
DIRECT_ENROLMENT = dt.date(2026, 2, 1)


def participant(site=None, **fields) -> Participant:
    """A participant registered directly, for tests that need one but not its screening."""
    site = site or SiteFactory()
    n = next(_direct_sequence)
    defaults = {
        "study_id": f"{site.code}-T{n:04d}",
        "sequence": 1000 + n,
        "diagnosis_date": DIRECT_DIAGNOSIS,
        "enrolment_date": DIRECT_ENROLMENT,
    }
    return Participant.objects.create(site=site, **{**defaults, **fields})


def enrolled_participant(site, user, *, consent_date=TODAY, **screening_fields) -> Participant:
    screening = ScreeningFactory(site=site, **screening_fields)
    return workflow.enrol(screening=screening, user=user, consent_date=consent_date, today=TODAY)


# The form's POST for an eligible patient at `site` (a complete, valid submission).
def screening_post(site=None, **overrides) -> dict[str, str]:
    data = {
        "initials": "EF",
        "hospital_number": "H123456",
        "screening_date": TODAY.isoformat(),
        "birth_date": "1970-03-01",
        "sex": "female",
        "diagnosis_date": DIAGNOSIS.isoformat(),
        "invasive_carcinoma_confirmed": "true",
        "stage_iv_at_diagnosis": "true",
        "met_bone": "imaging",
        "met_lung": "pathology",
        "liver_metastasis_count": "0",
        "operable": "true",
        "ecog": "1",
        "anc": "3.2",
        "anc_unit": "10e9_l",
        "platelets": "250",
        "platelets_unit": "10e9_l",
        "hemoglobin": "12.1",
        "hemoglobin_unit": "g_dl",
        "bilirubin": "10",
        "bilirubin_uln": "21",
        "bilirubin_unit": "umol_l",
        "ast": "30",
        "ast_uln": "40",
        "ast_unit": "u_l",
        "alt": "28",
        "alt_uln": "40",
        "alt_unit": "u_l",
        "creatinine": "70",
        "creatinine_uln": "97",
        "creatinine_unit": "umol_l",
        "prior_locoregional_surgery": "false",
        "systemic_therapy_start": "",
        "other_primary_malignancy": "false",
        "followup_feasible": "true",
    }
    if site is not None:
        data["site"] = str(site.pk)
    data.update(overrides)
    return data
