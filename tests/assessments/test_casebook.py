"""The casebook section that enrollment's casebook page includes."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse

from assessments import casebook
from tests.factories import assessments as f

pytestmark = pytest.mark.django_db

# As enrollment/templates/enrollment/casebook.html includes a section.
SECTION_TEMPLATE = Template(
    "{% include section.template with participant=participant section=section %}"
)


@pytest.fixture
def assessed(site_a, coordinator_a):
    participant = f.participant(site_a)
    lesions = list(f.baseline(participant, coordinator_a).lesions.all())
    f.assessment(
        participant, coordinator_a, {x.pk: f.mm(0) for x in lesions}, date=dt.date(2026, 3, 1)
    )
    return participant


def test_section_shows_the_responses_and_marks_the_participant_assessed(assessed, coordinator_a):
    section = casebook.section(assessed, coordinator_a)
    assert section.reached == {"assessed"}
    html = SECTION_TEMPLATE.render(Context({"section": section, "participant": assessed}))
    assert 'data-testid="primary-response">CR' in html
    assert "Add response assessment" in html


def test_section_for_a_reader_has_no_entry_links(assessed, investigator_a):
    section = casebook.section(assessed, investigator_a)
    html = SECTION_TEMPLATE.render(Context({"section": section, "participant": assessed}))
    assert "Add response assessment" not in html and "CR" in html


def test_a_participant_without_a_complete_assessment_is_not_assessed(site_a, coordinator_a):
    participant = f.participant(site_a)
    assert casebook.section(participant, coordinator_a).reached == frozenset()


def test_enrollment_casebook_page_shows_the_section(client, assessed, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get(reverse("enrollment:casebook", kwargs={"study_id": assessed.study_id}))
    assert response.status_code == 200
    assert 'data-testid="assessments-casebook"' in response.content.decode()
