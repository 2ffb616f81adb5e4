import datetime as dt

import pytest

from enrollment import selectors
from enrollment.models import Participant, Screening
from tests.factories.access import user_with_role
from tests.factories.enrollment import TODAY, ScreeningFactory, enrolled_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(site_a, site_b, coordinator_a, coordinator_b):
    enrolled = enrolled_participant(site_a, coordinator_a, initials="KL", hospital_number="H777")
    early = ScreeningFactory(
        site=site_a,
        initials="MN",
        hospital_number="H888",
        screening_date=TODAY - dt.timedelta(days=20),
        diagnosis_date=TODAY - dt.timedelta(days=40),
    )
    other_site = ScreeningFactory(site=site_b, initials="KL", hospital_number="H777")
    return {"enrolled": enrolled.screening, "early": early, "other_site": other_site}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"enrolled", "early"}),
        ({"q": "kl"}, {"enrolled"}),
        ({"q": "H888"}, {"early"}),
        ({"q": "AA-0001"}, {"enrolled"}),
        ({"status": "in_screening"}, {"early"}),
        ({"date_to": TODAY - dt.timedelta(days=1)}, {"early"}),
        ({"date_from": TODAY}, {"enrolled"}),
    ],
)
def test_screening_log_search_and_filters(coordinator_a, log, filters, expected):
    found = set(selectors.screening_list(user=coordinator_a, **filters))
    assert found == {log[name] for name in expected}


def test_search_by_screening_number(coordinator_a, log):
    number = log["early"].screening_number
    assert list(selectors.screening_list(user=coordinator_a, q=number)) == [log["early"]]


def test_the_log_of_a_two_site_user_filters_by_site(site_a, site_b, log):
    user = user_with_role("data_manager", site_a, site_b)
    assert selectors.screening_list(user=user).count() == 3
    assert set(selectors.screening_list(user=user, site=site_b)) == {log["other_site"]}


@pytest.mark.parametrize(
    "q", ["H777", "h77", "kl", "AA-0001", "a-000", " 0001 ", "S-{screening}", "{screening}"]
)
def test_participant_search(coordinator_a, log, q):
    q = q.format(screening=log["enrolled"].pk)
    assert [p.study_id for p in selectors.participant_list(user=coordinator_a, q=q)] == ["AA-0001"]


@pytest.mark.parametrize("q", ["H888", "zz", "AA-0002", "BB-0001", "S-999999"])
def test_participant_search_finds_no_one_else(coordinator_a, log, q):
    # H888 is a screening not enrolled; site B's KL/H777 is another site's.
    assert list(selectors.participant_list(user=coordinator_a, q=q)) == []


@pytest.mark.parametrize(
    ("model", "lookup", "index"),
    [
        (Participant, "study_id__icontains", "participant_study_id_trgm"),
        (Screening, "initials__icontains", "screening_initials_trgm"),
        (Screening, "hospital_number__icontains", "screening_hospital_no_trgm"),
    ],
)
def test_substring_search_can_use_a_trigram_index_on_postgresql(log, model, lookup, index):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        # Tiny tables: forbid the scans a planner would rather do, so it shows whether the
        # trigram index can serve `icontains` at all.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            plan = model.objects.filter(**{lookup: "777"}).explain()
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert index in plan


def test_checklist_rows_follow_the_rules_order(site_a):
    checklist = selectors.screening_checklist(ScreeningFactory(site=site_a), today=TODAY)
    from enrollment import eligibility

    assert [r.code for r in checklist.rows] == list(eligibility.CRITERIA)
    assert checklist.eligible is True


def test_checklist_of_an_empty_screening_is_undecided():
    checklist = selectors.screening_checklist(Screening(), today=TODAY)
    assert checklist.eligible is None
    assert checklist.error == ""


def test_lab_units_are_converted_before_judging(site_a):
    screening = ScreeningFactory.build(site=site_a, hemoglobin=85, hemoglobin_unit="g_l")
    assert screening.facts().hemoglobin == pytest.approx(8.5)
    checklist = selectors.screening_checklist(screening, today=TODAY)
    assert "organ_function" in [r.code for r in checklist.failed]


def test_the_checklist_shows_the_labs_as_judged(site_a):
    screening = ScreeningFactory.build(site=site_a, ast=30, ast_uln=40, anc=1500, anc_unit="per_ul")
    labs = {
        label: value
        for label, value, _unit in selectors.screening_checklist(screening, today=TODAY).labs
    }
    assert labs["AST"] == pytest.approx(0.75)
    assert labs["ANC"] == pytest.approx(1.5)
