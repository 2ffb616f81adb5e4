"""Services: what is stored agrees with assessments.recist; the nadir comes from earlier
completed assessments; bad input saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import recist, services, validators
from assessments.models import (
    Baseline,
    BaselineLesion,
    LesionMeasurement,
    ResponseAssessment,
    Surgery,
    TherapyLine,
)
from tests.factories import assessments as f

pytestmark = pytest.mark.django_db

D1, D2, D3 = dt.date(2026, 3, 1), dt.date(2026, 5, 1), dt.date(2026, 7, 1)


@pytest.fixture
def participant(site_a):
    return f.participant(site_a)


def _lesions(baseline):
    return {(lesion.organ_site, lesion.kind): lesion for lesion in baseline.lesions.all()}


# --- Baseline ---------------------------------------------------------------------------------


def test_baseline_lesions_get_compartment_nodal_and_numbers(participant, coordinator_a):
    baseline = f.baseline(
        participant,
        coordinator_a,
        lesions=[
            f.lesion("breast", mm="30"),
            f.lesion("regional_node", mm="18"),
            f.lesion("bone", kind="non_target", mm=None),
        ],
    )
    lesions = list(baseline.lesions.order_by("number"))
    assert [(x.number, x.compartment, x.nodal) for x in lesions] == [
        (1, "primary", False),
        (2, "primary", True),
        (3, "metastatic", False),
    ]
    assert baseline.history.count() == 1
    assert lesions[0].history.first().history_change_reason == services.ENTRY_REASON


def test_baseline_derives_biomarker_categories(participant, coordinator_a):
    baseline = f.baseline(
        participant, coordinator_a, er_percent=5, pr_percent=0, her2_ihc="2+", her2_ish="negative"
    )
    assert (baseline.er_category, baseline.pr_category, baseline.her2_category) == (
        "low_positive",
        "negative",
        "low",
    )


@pytest.mark.parametrize(
    ("lesions", "message"),
    [
        ([f.lesion("liver", mm="9.9")], "at least 10"),
        ([f.lesion("distant_lymph_node", mm="14")], "at least 15"),
        ([f.lesion("liver", mm="20")] * 3, "per organ"),
        (
            [f.lesion(o, mm="20") for o in ("liver", "liver", "lung", "lung", "bone", "brain")],
            "At most 5",
        ),
    ],
)
def test_baseline_refuses_unmeasurable_or_too_many_targets(
    participant, coordinator_a, lesions, message
):
    lesions = [f.lesion(x.organ_site, mm=str(x.baseline_mm)) for x in lesions]
    with pytest.raises(ValidationError, match=message):
        f.baseline(participant, coordinator_a, lesions=lesions)
    assert not Baseline.objects.exists()
    assert not BaselineLesion.objects.exists()


def test_five_targets_in_each_compartment_are_allowed(participant, coordinator_a):
    """The 5/2 limits apply per compartment, each judged against its own baseline."""
    lesions = [f.lesion(o, mm="20") for o in ("liver", "liver", "lung", "lung", "bone")]
    lesions += [f.lesion(o, mm="20") for o in ("breast", "breast", "regional_node")]
    baseline = f.baseline(participant, coordinator_a, lesions=lesions)
    assert baseline.lesions.filter(kind="target").count() == 8


def test_baseline_in_the_future_is_refused(participant, coordinator_a):
    with pytest.raises(ValidationError) as exc:
        f.baseline(participant, coordinator_a, baseline_date=f.TODAY + dt.timedelta(days=1))
    assert exc.value.message_dict == {"baseline_date": [str(services.IN_FUTURE)]}


def test_lesions_are_frozen_once_an_assessment_exists(participant, coordinator_a):
    baseline = f.baseline(participant, coordinator_a)
    lesions = _lesions(baseline)
    f.assessment(participant, coordinator_a, {x.pk: f.mm(10) for x in lesions.values()}, date=D1)
    with pytest.raises(ValidationError, match="cannot change"):
        services.baseline_save(
            baseline=baseline,
            lesions=[*lesions.values(), f.lesion("lung", mm="15")],
            user=coordinator_a,
            reason="late lesion",
            expected_version=baseline.version,
        )
    # The CRF itself may still be corrected.
    baseline.ki67_percent = 30
    services.baseline_save(
        baseline=baseline,
        lesions=list(lesions.values()),
        user=coordinator_a,
        reason="Ki-67 corrected",
        expected_version=baseline.version,
    )
    assert Baseline.objects.get().version == 2


# --- Response assessments ---------------------------------------------------------------------


def _recist_expectation(baseline_target_mm, current_target_mm, statuses, new, prior=()):
    targets = [
        recist.TargetLesion(False, b, c)
        for b, c in zip(baseline_target_mm, current_target_mm, strict=True)
    ]
    target = recist.target_response(targets, prior)
    non_target = recist.non_target_response(statuses)
    return target, non_target, recist.overall_response(target, non_target, new)


TABLE = [
    # breast target 30 mm, liver target 20 mm; liver non-target status; new metastatic lesions
    ("CR", 0, 0, "absent", False),
    ("PR", 18, 20, "present", False),
    ("SD", 28, 20, "present", False),
    ("PD by size", 40, 20, "present", False),
    ("NE", None, 20, "present", False),
    ("non-target PD", 30, 20, "progression", False),
    ("new lesions", 30, 0, "absent", True),
    ("non-target NE", 0, 0, "not_evaluated", False),
]


@pytest.mark.parametrize(
    ("case", "breast", "liver", "bone", "new"), TABLE, ids=[row[0] for row in TABLE]
)
def test_stored_responses_agree_with_the_rules_core(
    participant, coordinator_a, case, breast, liver, bone, new
):
    baseline = f.baseline(
        participant,
        coordinator_a,
        lesions=[
            f.lesion("breast", mm="30"),
            f.lesion("liver", mm="20"),
            f.lesion("bone", kind="non_target", mm=None),
        ],
    )
    lesions = _lesions(baseline)
    entry = {
        lesions["breast", "target"].pk: (
            f.mm(breast) if breast is not None else f.status("not_evaluated")
        ),
        lesions["liver", "target"].pk: f.mm(liver),
        lesions["bone", "non_target"].pk: f.status(bone),
    }
    a = f.assessment(participant, coordinator_a, entry, date=D1, metastatic_new=new)
    a.refresh_from_db()
    primary = _recist_expectation([30.0], [None if breast is None else float(breast)], [], False)
    metastatic = _recist_expectation([20.0], [float(liver)], [bone], new)
    assert (a.primary_target or None, a.primary_non_target or None, a.primary_response) == primary
    assert (a.metastatic_target, a.metastatic_non_target, a.metastatic_response) == metastatic
    assert a.primary_new_lesions is False and a.metastatic_new_lesions is new
    assert LesionMeasurement.objects.filter(assessment=a).count() == 3


def test_nadir_comes_from_earlier_completed_assessments(participant, coordinator_a):
    """Breast 30 -> 10 (PR) -> 16: +6 mm and +60 % over the nadir of 10 is PD, although 16 is
    still below the baseline of 30."""
    lesions = _lesions(f.baseline(participant, coordinator_a))
    breast, liver = lesions["breast", "target"].pk, lesions["liver", "target"].pk
    first = f.assessment(participant, coordinator_a, {breast: f.mm(10), liver: f.mm(20)}, date=D1)
    second = f.assessment(participant, coordinator_a, {breast: f.mm(16), liver: f.mm(20)}, date=D2)
    assert first.primary_target == "PR"
    assert first.primary_target_sum_mm == Decimal(10)
    assert (
        second.primary_target
        == recist.target_response([recist.TargetLesion(False, 30.0, 16.0)], [10.0])
        == "PD"
    )
    assert second.primary_response == "PD"
    assert second.metastatic_response == "SD"


def test_a_sum_with_a_lesion_not_evaluated_is_no_nadir(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    breast, liver = lesions["breast", "target"].pk, lesions["liver", "target"].pk
    first = f.assessment(
        participant, coordinator_a, {breast: f.status("not_evaluated"), liver: f.mm(5)}, date=D1
    )
    assert first.metastatic_target_sum_mm == Decimal(5)
    assert first.primary_target == "NE" and first.primary_target_sum_mm is None
    second = f.assessment(participant, coordinator_a, {breast: f.mm(27), liver: f.mm(5)}, date=D2)
    assert second.primary_target == "SD"  # nadir 30 (baseline), not a partial sum


def test_completing_recomputes_later_drafts(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    breast, liver = lesions["breast", "target"].pk, lesions["liver", "target"].pk
    first = f.assessment(
        participant, coordinator_a, {breast: f.mm(10), liver: f.mm(20)}, date=D1, complete=False
    )
    later = f.assessment(
        participant, coordinator_a, {breast: f.mm(16), liver: f.mm(20)}, date=D2, complete=False
    )
    assert later.primary_target == "PR"  # draft D1 is not yet part of the nadir
    services.complete_assessment(assessment=first, user=coordinator_a)
    later.refresh_from_db()
    assert later.primary_target == "PD"


def test_a_later_assessment_cannot_complete_before_an_earlier_draft(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    entries = {x.pk: f.mm(20) for x in lesions.values()}
    f.assessment(participant, coordinator_a, entries, date=D1, complete=False)
    with pytest.raises(ValidationError, match="earlier assessment"):
        f.assessment(participant, coordinator_a, entries, date=D2, complete=True)
    assert ResponseAssessment.objects.count() == 1


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (f.BASELINE_DATE, "after the baseline"),
        (f.BASELINE_DATE - dt.timedelta(days=3), "after the baseline"),
        (f.TODAY + dt.timedelta(days=1), "in the future"),
    ],
)
def test_assessment_dates_are_checked(participant, coordinator_a, date, message):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    with pytest.raises(ValidationError, match=message) as exc:
        f.assessment(
            participant, coordinator_a, {x.pk: f.mm(20) for x in lesions.values()}, date=date
        )
    assert list(exc.value.message_dict) == ["assessment_date"]
    assert not ResponseAssessment.objects.exists()


def test_assessment_before_a_completed_one_is_refused(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    entries = {x.pk: f.mm(20) for x in lesions.values()}
    f.assessment(participant, coordinator_a, entries, date=D2)
    with pytest.raises(ValidationError, match="completed assessment exists"):
        f.assessment(participant, coordinator_a, entries, date=D1)


def test_assessment_needs_a_baseline(participant, coordinator_a):
    with pytest.raises(ValidationError, match="baseline"):
        f.assessment(participant, coordinator_a, {}, date=D1)


def test_every_lesion_needs_an_entry(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    breast = lesions["breast", "target"].pk
    with pytest.raises(ValidationError) as exc:
        f.assessment(participant, coordinator_a, {breast: f.mm(-1)}, date=D1)
    errors = exc.value.message_dict
    assert errors[f"lesion_{breast}"] == ["A measurement cannot be negative."]
    assert errors[f"lesion_{lesions['liver', 'target'].pk}"] == [str(services.MISSING_LESION)]
    assert not ResponseAssessment.objects.exists()


def test_a_complete_assessment_cannot_be_changed(participant, coordinator_a):
    lesions = _lesions(f.baseline(participant, coordinator_a))
    entries = {x.pk: f.mm(20) for x in lesions.values()}
    done = f.assessment(participant, coordinator_a, entries, date=D1)
    with pytest.raises(ValidationError, match="complete"):
        services.assessment_save(
            assessment=done,
            entries=entries,
            complete=False,
            user=coordinator_a,
            reason="x",
            today=f.TODAY,
        )


# --- Therapy and surgery ----------------------------------------------------------------------


def _line(participant, **kwargs):
    fields = {
        "line_number": 1,
        "category": "endocrine",
        "agents": "letrozole",
        "start_date": dt.date(2026, 2, 1),
    }
    return TherapyLine(participant=participant, **{**fields, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"stop_date": dt.date(2026, 1, 31), "reason_stopped": "toxicity"},
            "stop_date",
            validators.STOP_BEFORE_START,
        ),
        ({"stop_date": dt.date(2026, 3, 1)}, "reason_stopped", validators.STOP_NEEDS_REASON),
        ({"reason_stopped": "toxicity"}, "stop_date", validators.REASON_NEEDS_STOP),
        ({"start_date": f.TODAY + dt.timedelta(days=1)}, "start_date", services.IN_FUTURE),
    ],
)
def test_therapy_line_bad_input(participant, coordinator_a, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        services.therapy_line_save(
            line=_line(participant, **kwargs),
            user=coordinator_a,
            today=f.TODAY,
        )
    assert exc.value.message_dict == {field: [str(message)]}
    assert not TherapyLine.objects.exists()


def test_therapy_line_saved(participant, coordinator_a):
    line = services.therapy_line_save(
        line=_line(participant, stop_date=dt.date(2026, 2, 1), reason_stopped="toxicity"),
        user=coordinator_a,
        today=f.TODAY,
    )
    assert line.history.first().history_user == coordinator_a


def _surgery(participant, **kwargs):
    fields = {
        "procedure": "mastectomy",
        "surgery_date": dt.date(2026, 8, 1),
        "ypt": "ypT0",
        "ypn": "ypN0",
        "residual_invasive_disease": False,
    }
    return Surgery(participant=participant, **{**fields, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"procedure": "metastasis_resection", "ypt": "", "ypn": ""},
            "metastasis_site",
            validators.RESECTION_NEEDS_SITE,
        ),
        ({"metastasis_site": "liver"}, "metastasis_site", validators.SITE_ONLY_FOR_RESECTION),
        ({"ypn": ""}, "ypn", validators.BREAST_SURGERY_NEEDS_YP),
        (
            {"residual_invasive_disease": True},
            "residual_invasive_disease",
            validators.PCR_CONTRADICTS_RESIDUAL,
        ),
        (
            {"ypt": "ypT2", "residual_invasive_disease": False},
            "residual_invasive_disease",
            validators.RESIDUAL_CONTRADICTS_YP,
        ),
        ({"surgery_date": dt.date(2025, 12, 1)}, "surgery_date", validators.BEFORE_DIAGNOSIS),
    ],
)
def test_surgery_bad_input(participant, coordinator_a, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        services.surgery_save(
            surgery=_surgery(participant, **kwargs),
            user=coordinator_a,
            today=f.TODAY,
        )
    assert exc.value.message_dict == {field: [str(message)]}
    assert not Surgery.objects.exists()


def test_surgery_pcr_is_derived(participant, coordinator_a):
    surgery = services.surgery_save(
        surgery=_surgery(participant),
        user=coordinator_a,
        today=f.TODAY,
    )
    assert surgery.pcr is True
    resection = services.surgery_save(
        surgery=_surgery(
            participant,
            procedure="metastasis_resection",
            metastasis_site="liver",
            ypt="",
            ypn="",
            residual_invasive_disease=None,
        ),
        user=coordinator_a,
        today=f.TODAY,
    )
    assert resection.pcr is None
