"""Arm history on the casebook: signatures, overrides and treatment deviations, bounded queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arms import casebook, services
from arms.selectors import arm_history
from assessments import recist
from assessments.models import Surgery
from enrollment.casebook import ARM_ASSIGNED
from tests.factories import arms as f
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site_a, coordinator_a):
    return f.participant_with_baseline(site_a, coordinator_a)


def _confirm(assessment, user):
    a = assessment.arm_assignment
    return services.assignment_confirm(
        assignment=a, user=user, password=PASSWORD, expected_version=a.version
    )


def test_surgery_and_regimen_changes_are_checked_against_the_signed_arm(
    participant, coordinator_a, investigator_a
):
    f.therapy_line(participant, coordinator_a, dt.date(2026, 1, 25))  # first line: expected
    first = f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.SD,
        metastatic=recist.PR,
        date=dt.date(2026, 4, 6),
    )
    _confirm(first, investigator_a)  # arm 4: change the regimen, no surgery
    f.therapy_line(participant, coordinator_a, dt.date(2026, 4, 20), line_number=2)  # expected
    f.surgery(participant, coordinator_a, Surgery.Procedure.MASTECTOMY, dt.date(2026, 5, 10))

    history = arm_history(participant)

    assert [(x.treatment.description, x.arm) for x in history.treatment_deviations] == [
        ("Mastectomy", 4)
    ]


def test_the_casebook_section_reaches_arm_assigned_once_signed(
    participant, coordinator_a, investigator_a
):
    assessment = f.completed_assessment(
        participant, coordinator_a, primary=recist.CR, metastatic=recist.CR
    )
    section = casebook.section(participant, coordinator_a)
    assert section.template == "arms/includes/casebook_section.html"
    assert section.reached == frozenset()

    _confirm(assessment, investigator_a)
    section = casebook.section(participant, coordinator_a)
    assert section.reached == frozenset({ARM_ASSIGNED})
    assert section.context["arm_history"].current.confirmed_arm == 1


def test_arm_history_makes_three_queries_whatever_the_number_of_assessments(
    participant, coordinator_a, investigator_a
):
    for month in (3, 5, 7, 9):
        a = f.completed_assessment(
            participant,
            coordinator_a,
            primary=recist.SD,
            metastatic=recist.PR,
            date=dt.date(2026, month, 2),
        )
        _confirm(a, investigator_a)
        f.therapy_line(participant, coordinator_a, dt.date(2026, month, 10), line_number=month)
    with CaptureQueriesContext(connection) as queries:
        history = arm_history(participant)
        [a.signature.printed_name for a in history.assignments]
    assert len(history.assignments) == 4
    assert len(queries) == 3


def test_the_include_renders_from_the_casebook_section_or_from_arm_history(
    participant, coordinator_a, investigator_a
):
    from django.template.loader import render_to_string

    _confirm(
        f.completed_assessment(participant, coordinator_a, primary=recist.PR, metastatic=recist.CR),
        investigator_a,
    )
    section = casebook.section(participant, coordinator_a)
    for context in ({"section": section}, {"arm_history": arm_history(participant)}):
        html = render_to_string("arms/includes/casebook_section.html", context)
        assert 'data-testid="current-arm">Arm 2<' in html
        assert investigator_a.get_full_name() in html
