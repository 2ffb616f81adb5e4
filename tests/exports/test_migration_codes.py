"""The stored lists of codes become `;`-joined text: migrate back to the JSON lists, store
some as the old code did, migrate forward, look."""

import datetime as dt

import pytest

from tests.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("exports", "0006_analysis_row_copies")]


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_a_stored_list_of_codes_becomes_its_joined_text(old_apps, site_a):
    from exports.models import ParticipantOutcome

    site = old_apps.get_model("access", "Site").objects.get(pk=site_a.pk)
    participant_model = old_apps.get_model("enrollment", "Participant")
    outcome_model = old_apps.get_model("exports", "ParticipantOutcome")
    lists = {1: ["liver", "bone"], 2: ["bone"], 3: []}
    for n, codes in lists.items():
        participant = participant_model.objects.create(
            site=site,
            study_id=f"AA-09{n:02d}",
            sequence=900 + n,
            diagnosis_date=dt.date(2026, 1, 5),
            enrolment_date=dt.date(2026, 2, 1),
        )
        outcome_model.objects.create(
            participant=participant, rules_version="old", metastatic_sites=codes
        )

    migrate_to([("exports", "0007_derived_codes_stored_joined")])

    stored = dict(
        ParticipantOutcome.objects.values_list("participant__study_id", "metastatic_sites")
    )
    assert stored == {"AA-0901": "liver;bone", "AA-0902": "bone", "AA-0903": ""}
