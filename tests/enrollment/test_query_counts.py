"""Pages make the same number of queries whatever the number of participants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment import services
from enrollment.models import Screening
from tests.factories.enrollment import TODAY, ScreeningFactory, enrolled_participant
from workflow import services as workflow

pytestmark = pytest.mark.django_db

# Session, user, memberships, the page's count and rows, the filter form's sites, and the
# menu's checks, the menu's count of data queries waiting for the user: a fixed number,
# measured and recorded here so a regression is visible.
MAX_LIST_QUERIES = 13
MAX_SCREENING_QUERIES = 11
# The casebook gathers every app's section (assessments, arms, data quality): a fixed number
# each; data quality makes one per CRF model (the forms' states), one for the open query
# counts and one for the sign-offs (measured: 27 with six CRF models, 28 with Visit). The
# safety section reads events, the death report and radiotherapy (and, when there are events,
# their follow-ups and assessments: two more), and adds four CRF models; the follow-up section
# reads the schedule (two) and the timeline each source once more (eight: the assessments'
# five, the arm decisions, the schedule's two, safety's three): 46 measured. The timeline
# re-reads what the sections read; a per-request memo would save those.
MAX_CASEBOOK_QUERIES = 48


def _populate(site, user, n):
    for i in range(n):
        participant = enrolled_participant(site, user)
        if i % 3 == 0:
            workflow.take_off_study(
                participant=participant, user=user, date=TODAY, reason="other", today=TODAY
            )
        failed = ScreeningFactory(site=site, ecog=3)
        services.screen_fail(screening=failed, user=user, today=TODAY)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/enrollment/screenings/",
        "/enrollment/screenings/?q=AB&status=enrolled",
        "/enrollment/participants/",
        "/enrollment/participants/?status=off_study&page=1",
    ],
)
def test_lists_make_a_bounded_number_of_queries(client, coordinator_a, site_a, url):
    client.force_login(coordinator_a)
    _populate(site_a, coordinator_a, 3)
    few = _count(client, url)
    _populate(site_a, coordinator_a, 27)  # 30 participants, 60 screenings: a second page
    many = _count(client, url)
    assert many == few
    assert many <= MAX_LIST_QUERIES


def test_the_casebook_makes_a_bounded_number_of_queries(client, coordinator_a, site_a):
    client.force_login(coordinator_a)
    _populate(site_a, coordinator_a, 30)
    participant = enrolled_participant(site_a, coordinator_a)
    url = reverse("enrollment:casebook", args=[participant.study_id])
    assert _count(client, url) <= MAX_CASEBOOK_QUERIES


def test_the_screening_page_makes_a_bounded_number_of_queries(client, coordinator_a, site_a):
    client.force_login(coordinator_a)
    _populate(site_a, coordinator_a, 5)
    screening = Screening.objects.filter(status="in_screening").first() or ScreeningFactory(
        site=site_a
    )
    url = reverse("enrollment:screening_detail", args=[screening.pk])
    assert _count(client, url) <= MAX_SCREENING_QUERIES


def test_lists_page_at_25(client, coordinator_a, site_a):
    client.force_login(coordinator_a)
    _populate(site_a, coordinator_a, 30)
    response = client.get(reverse("enrollment:participant_list"))
    assert len(response.context["page_obj"]) == 25
    response = client.get(reverse("enrollment:participant_list") + "?page=2")
    assert len(response.context["page_obj"]) == 5


def test_the_live_checklist_makes_few_queries(client, coordinator_a, site_a):
    from tests.factories.enrollment import screening_post

    client.force_login(coordinator_a)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("enrollment:screening_evaluate"), screening_post(site_a))
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= MAX_LIST_QUERIES
