"""The demo seed produces plausible safety data, through the services, and twice is once."""
# The death reports of the seed are counted too (`deaths`), so a second run cannot add one.

import pytest
from django.core.management import call_command

from safety.models import AdverseEvent, CausalityAssessment, DeathReport, Radiotherapy

pytestmark = pytest.mark.django_db


def test_the_demo_has_adverse_events_saes_complications_radiotherapy_and_deaths():
    out = open("/dev/null", "w")  # noqa: SIM115
    call_command("seed_demo", participants=60, stdout=out)
    counts = (
        AdverseEvent.objects.count(),
        AdverseEvent.objects.filter(serious=True).count(),
        AdverseEvent.objects.filter(surgery__isnull=False).count(),
        Radiotherapy.objects.count(),
        DeathReport.objects.count(),
    )
    events, serious, complications, courses, deaths = counts
    # Deaths come from the follow-up seed's death reports (few in a trial this small).
    assert events > 20 and serious > 0 and complications > 0 and courses > 0
    assert CausalityAssessment.objects.exists()
    assert not AdverseEvent.objects.filter(grade__isnull=True).exists()
    call_command("seed_demo", participants=60, stdout=out)
    assert (
        AdverseEvent.objects.count(),
        AdverseEvent.objects.filter(serious=True).count(),
        AdverseEvent.objects.filter(surgery__isnull=False).count(),
        Radiotherapy.objects.count(),
        DeathReport.objects.count(),
    ) == counts
