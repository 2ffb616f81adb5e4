"""The safety pages: the adverse event form (with and without its script), the worklist and
the report by arm, each at a bounded number of queries whatever the number of events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arms import services as arm_services
from arms.models import ArmAssignment
from assessments import recist
from safety.models import AdverseEvent
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories import safety as sf
from tests.factories.access import PASSWORD
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _participant_with_events(site, coordinator, investigator, n: int):
    participant = enrolled_participant(site, coordinator)
    af.baseline(participant, coordinator)
    assessment = arms_factories.completed_assessment(
        participant, coordinator, primary=recist.CR, metastatic=recist.CR,
        date=participant.enrolment_date,
    )  # fmt: skip
    assignment = ArmAssignment.objects.get(assessment=assessment)
    arm_services.assignment_confirm(
        assignment=assignment, user=investigator, password=PASSWORD,
        expected_version=assignment.version,
    )  # fmt: skip
    terms = ["Wound infection", "Seroma", "Lymphedema", sf.OTHER_GI]
    for i in range(n):
        sf.serious_event(participant, term_name=terms[i % len(terms)], grade=2 + i % 3)
    return participant


@pytest.mark.parametrize(
    "page", ["safety:report", "safety:sae_worklist", "safety:participant", "arms:queue"]
)
def test_the_safety_pages_cost_the_same_for_one_event_and_many(
    client, site_a, coordinator_a, investigator_a, page
):
    client.force_login(investigator_a)
    one = _participant_with_events(site_a, coordinator_a, investigator_a, 1)
    many = _participant_with_events(site_a, coordinator_a, investigator_a, 1)
    args = [one.pk] if page == "safety:participant" else []
    few = _queries(client, reverse(page, args=args))
    for _ in range(12):
        sf.serious_event(many)
    args = [many.pk] if page == "safety:participant" else []
    assert _queries(client, reverse(page, args=args)) == few


def test_the_report_counts_by_arm_and_gives_the_worst_grade_per_term(
    client, site_a, coordinator_a, investigator_a, site_b, coordinator_b, investigator_b
):
    _participant_with_events(site_a, coordinator_a, investigator_a, 3)
    _participant_with_events(site_b, coordinator_b, investigator_b, 4)  # not investigator_a's
    client.force_login(investigator_a)
    report = client.get(reverse("safety:report")).context["report"]
    arm_1 = report.arms[0]
    assert (arm_1.participants, arm_1.with_event, arm_1.with_grade_3, arm_1.with_sae) == (
        1,
        1,
        1,
        1,
    )
    worst = {t.term: t.by_arm[1] for t in report.terms}
    assert worst == {"Wound infection": (1, 2), "Seroma": (1, 3), "Lymphedema": (1, 4)}


def test_the_worklist_shows_time_left_then_overdue(client, site_a, coordinator_a, investigator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    now = dt.datetime.now(dt.UTC)
    sf.serious_event(participant, aware_at=now - dt.timedelta(hours=2))
    sf.serious_event(participant, aware_at=now - dt.timedelta(hours=30))
    client.force_login(investigator_a)
    page = client.get(reverse("safety:sae_worklist")).content.decode()
    assert "overdue by 6 h" in page and "21 h" in page
    home = client.get(reverse("arms:queue")).content.decode()
    assert 'data-testid="sae-panel"' in home


def test_the_form_shows_the_chosen_terms_grades_without_the_script(client, site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(coordinator_a)
    url = reverse("safety:ae_create", args=[participant.pk])
    alopecia = sf.term("Alopecia")
    page = client.post(url, {"term": alopecia.pk, "show_grades": "1"})
    assert page.status_code == 200
    grades = dict(page.context["form"].fields["grade"].choices)
    assert set(grades) == {1, 2} and "Hair loss of <50%" in grades[1]
    assert not AdverseEvent.objects.exists()
    data = client.get(reverse("safety:term_grades"), {"term": alopecia.pk}).json()
    assert [g["grade"] for g in data["grades"]] == [1, 2]


def test_a_coordinator_reports_an_event_with_a_partial_onset(client, site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(coordinator_a)
    month = participant.enrolment_date.strftime("%Y-%m")
    response = client.post(
        reverse("safety:ae_create", args=[participant.pk]),
        {"term": sf.term("Fatigue").pk, "grade": "2", "onset": month, "ongoing": "on",
         "outcome": "not_recovered", "action_taken": "none"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    event = AdverseEvent.objects.get()
    assert (event.onset_precision, event.onset.iso()) == ("month", month)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"onset": "2026-13"}, "onset"), ({"grade": "5"}, "grade"), ({"onset": "2999"}, "onset"),
     ({"hospitalisation": "on"}, "aware_at")],
)  # fmt: skip
def test_bad_input_is_a_field_error_and_nothing_is_saved(
    client, site_a, coordinator_a, changes, field
):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(coordinator_a)
    data = {"term": sf.term("Fatigue").pk, "grade": "2", "onset": "2026-11-28",
            "ongoing": "on", "outcome": "not_recovered"} | changes  # fmt: skip
    response = client.post(reverse("safety:ae_create", args=[participant.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AdverseEvent.objects.exists()
