"""Baseline lesions are frozen once a response assessment exists: one rule
(`validators.lesions_frozen`), met by the service, the lesion formset and the baseline page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services, validators
from assessments.forms import LesionFormSet
from assessments.models import Baseline, BaselineLesion
from tests.factories import assessments as f
from tests.factories.enrollment import participant as make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(site_a, coordinator_a):
    participant = make_participant(site_a)
    f.baseline(participant, coordinator_a)
    lesions = {lesion.number: lesion for lesion in BaselineLesion.objects.all()}
    f.assessment(
        participant,
        coordinator_a,
        {lesion.pk: f.mm(15) for lesion in lesions.values()},
        date=dt.date(2026, 4, 6),
        complete=False,
    )
    return participant


def test_lesions_are_frozen_only_once_an_assessment_exists(site_a, coordinator_a, assessed):
    fresh = make_participant(site_a)
    f.baseline(fresh, coordinator_a)
    assert validators.lesions_frozen(assessed.pk) is True
    assert validators.lesions_frozen(fresh.pk) is False


def test_the_service_refuses_a_changed_lesion_after_an_assessment(coordinator_a, assessed):
    baseline = Baseline.objects.get(participant=assessed)
    lesion = BaselineLesion.objects.filter(baseline=baseline).first()
    lesion.baseline_mm = 99
    with pytest.raises(ValidationError) as caught:
        services.baseline_save(
            baseline=baseline, lesions=[lesion], user=coordinator_a, today=f.TODAY
        )
    assert caught.value.messages == [str(validators.LESIONS_LOCKED)]


def test_the_lesion_formset_refuses_a_new_lesion_after_an_assessment(assessed):
    baseline = Baseline.objects.get(participant=assessed)
    existing = list(BaselineLesion.objects.filter(baseline=baseline).order_by("pk"))
    data = {
        "lesions-TOTAL_FORMS": str(len(existing) + 1),
        "lesions-INITIAL_FORMS": str(len(existing)),
        "lesions-MIN_NUM_FORMS": "0",
        "lesions-MAX_NUM_FORMS": "1000",
    }
    for i, lesion in enumerate(existing):
        data |= {
            f"lesions-{i}-id": str(lesion.pk),
            f"lesions-{i}-baseline": str(baseline.pk),
            f"lesions-{i}-organ_site": lesion.organ_site,
            f"lesions-{i}-kind": lesion.kind,
            f"lesions-{i}-description": lesion.description,
            f"lesions-{i}-baseline_mm": str(lesion.baseline_mm),
        }
    n = len(existing)
    data |= {
        f"lesions-{n}-organ_site": "lung",
        f"lesions-{n}-kind": "target",
        f"lesions-{n}-description": "new",
        f"lesions-{n}-baseline_mm": "12",
    }
    formset = LesionFormSet(data, instance=baseline, prefix="lesions")
    assert not formset.is_valid()
    assert formset.non_form_errors() == [str(validators.LESIONS_LOCKED)]


def test_the_baseline_page_shows_frozen_lesions_read_only(client, coordinator_a, assessed):
    client.force_login(coordinator_a)
    response = client.get(reverse("assessments:baseline", args=[assessed.pk]))
    assert response.status_code == 200
    assert response.context["formset"] is None
    assert len(response.context["locked_lesions"]) == 2
