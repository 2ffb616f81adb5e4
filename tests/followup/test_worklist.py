"""The worklist's sections agree with the visit-state rule, count every visit and show the
most urgent first, at most WORKLIST_LIMIT per section."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import schedule, selectors
from followup.models import PlannedVisit
from tests.factories.followup import participant_with_visits

pytestmark = pytest.mark.django_db

SECTIONS = (schedule.STATE_OVERDUE, schedule.STATE_DUE, schedule.STATE_UPCOMING)


@pytest.fixture
def followed(site_a, site_b, coordinator_a):
    """Participants at site A diagnosed every 23 days over two years, so that visits fall in
    every state today; and one at site B."""
    today = timezone.localdate()
    people = []
    for k in range(32):
        diagnosis = today - dt.timedelta(days=30 + 23 * k)
        people.append(
            participant_with_visits(
                site_a,
                coordinator_a,
                diagnosis_date=diagnosis,
                enrolment_date=diagnosis + dt.timedelta(days=14),
            )
        )
    participant_with_visits(
        site_b,
        diagnosis_date=today - dt.timedelta(days=95),
        enrolment_date=today - dt.timedelta(days=80),
    )
    return people


def _expected(site, today):
    """Every open planned visit of the site, by its state today under the schedule rule."""
    expected = {state: set() for state in SECTIONS}
    open_visits = PlannedVisit.objects.filter(participant__site=site, status="open")
    for visit in open_visits:
        state = visit.state_on(today)
        if state in expected:
            expected[state].add(visit.pk)
    return expected


def test_each_section_holds_exactly_the_visits_in_that_state(
    followed, coordinator_a, site_a, monkeypatch
):
    monkeypatch.setattr(selectors, "WORKLIST_LIMIT", 10_000)
    [entry] = selectors.worklist(user=coordinator_a)
    expected = _expected(site_a, entry.today)
    assert all(expected.values()), "the fixture should put visits in every state"
    for state in SECTIONS:
        assert {v.pk for v in getattr(entry, state)} == expected[state], state
        assert entry.counts[state] == len(expected[state]), state


def test_the_most_urgent_come_first(followed, coordinator_a):
    [entry] = selectors.worklist(user=coordinator_a)
    assert entry.overdue == sorted(entry.overdue, key=lambda v: (v.window_end, v.pk))
    assert entry.due == sorted(entry.due, key=lambda v: (v.window_end, v.pk))
    assert entry.upcoming == sorted(entry.upcoming, key=lambda v: (v.window_start, v.pk))


def test_a_long_section_shows_its_first_visits_and_counts_them_all(
    followed, client, coordinator_a, site_a, monkeypatch
):
    monkeypatch.setattr(selectors, "WORKLIST_LIMIT", 2)
    [entry] = selectors.worklist(user=coordinator_a)
    expected = _expected(site_a, entry.today)
    assert len(expected[schedule.STATE_OVERDUE]) > 2
    assert len(entry.overdue) == 2
    assert entry.counts[schedule.STATE_OVERDUE] == len(expected[schedule.STATE_OVERDUE])

    client.force_login(coordinator_a)
    page = client.get(reverse("followup:worklist")).content.decode()
    total = len(expected[schedule.STATE_OVERDUE])
    assert f'<span data-count="overdue">{total}</span>' in page
    assert f"Showing the first 2 of {total}." in page


def test_a_section_lists_all_its_visits_page_by_page(followed, client, coordinator_a, site_a):
    today = selectors.site_today(site_a)
    overdue = _expected(site_a, today)[schedule.STATE_OVERDUE]
    client.force_login(coordinator_a)
    url = reverse("followup:worklist")
    shown = []
    page = 1
    while True:
        response = client.get(url, {"section": schedule.STATE_OVERDUE, "page": page})
        assert response.status_code == 200
        shown += list(response.context["page_obj"])
        if not response.context["page_obj"].has_next():
            break
        page += 1
    assert {v.pk for v in shown} == overdue
    assert shown == sorted(shown, key=lambda v: (v.window_end, v.pk))
    assert f'<span data-count="overdue">{len(overdue)}</span>' in response.content.decode()


def test_an_unknown_section_is_not_found_and_sections_are_for_coordinators(
    client, coordinator_a, investigator_a
):
    client.force_login(coordinator_a)
    assert client.get(reverse("followup:worklist"), {"section": "nonsense"}).status_code == 404
    client.force_login(investigator_a)
    assert client.get(reverse("followup:worklist"), {"section": "due"}).status_code == 403
