"""Study IDs under concurrent enrolments: each thread has its own PostgreSQL connection."""

import threading

import pytest
from django.db import connection, connections

from enrollment.models import Participant
from tests.factories.enrollment import TODAY, ScreeningFactory
from workflow import services as workflow

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 10


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes"
)
@pytest.mark.parametrize("first_at_site", [True, False], ids=["first-enrolments", "later-ones"])
def test_concurrent_enrolments_get_distinct_gap_free_study_ids(
    site_a, coordinator_a, first_at_site
):
    already = 0
    if not first_at_site:
        workflow.enrol(
            screening=ScreeningFactory(site=site_a),
            user=coordinator_a,
            consent_date=TODAY,
            today=TODAY,
        )
        already = 1
    screenings = [ScreeningFactory(site=site_a) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    errors: list[BaseException] = []

    def enrol(screening):
        try:
            barrier.wait(timeout=10)
            participant = workflow.enrol(
                screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY
            )
            results.append(participant.study_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(s,)) for s in screenings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    expected = [f"AA-{n:04d}" for n in range(already + 1, already + THREADS + 1)]
    assert sorted(results) == expected
    stored = sorted(Participant.objects.values_list("study_id", flat=True))
    assert stored[already:] == expected
