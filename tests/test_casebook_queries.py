"""The casebook, with every app's section, costs the same however long the participant's history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import Role
from assessments import recist
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories.access import user_with_role
from tests.factories.enrollment import enrolled_participant
from workflow.services import record_unscheduled_visit

pytestmark = pytest.mark.django_db


def persona_coordinator(site):
    return user_with_role(Role.COORDINATOR, site, username=f"entry_{site.code}")


def _casebook_queries(client, participant) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("enrollment:casebook", args=[participant.study_id]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _with_assessments(site, user, n: int):
    participant = enrolled_participant(site, user)
    af.baseline(participant, user)
    responses = [(recist.PR, recist.SD), (recist.PR, recist.CR), (recist.CR, recist.CR)]
    for i in range(n):
        primary, metastatic = responses[i % len(responses)]
        arms_factories.completed_assessment(
            participant,
            user,
            primary=primary,
            metastatic=metastatic,
            date=participant.enrolment_date + dt.timedelta(days=7 * i),
        )
    arms_factories.therapy_line(participant, user, participant.enrolment_date)
    return participant


def test_the_casebook_query_count_does_not_grow_with_assessments(client, site_a, coordinator_a):
    client.force_login(coordinator_a)
    one = _with_assessments(site_a, coordinator_a, 1)
    three = _with_assessments(site_a, coordinator_a, 3)
    _casebook_queries(client, one)  # the content types' cache, filled once per process
    assert _casebook_queries(client, three) == _casebook_queries(client, one)


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a"], indirect=True)
def test_the_timeline_costs_the_same_however_many_visits_and_events(client, site_a, persona):
    """The timeline's providers read each source once: more assessments, arm decisions and
    visits add rows, not queries."""
    client.force_login(persona)
    entry = persona_coordinator(site_a)
    one = _with_assessments(site_a, entry, 1)
    many = _with_assessments(site_a, entry, 3)
    record_unscheduled_visit(
        participant=many,
        user=entry,
        data={
            "visit_date": many.enrolment_date,
            "vital_status": "alive",
            "last_known_alive": many.enrolment_date,
            "distant_progression": False,
            "locoregional_recurrence": False,
        },
    )
    _casebook_queries(client, one)
    assert _casebook_queries(client, many) == _casebook_queries(client, one)
    page = client.get(reverse("enrollment:casebook", args=[many.study_id])).content.decode()
    for kind in ("screening", "enrolment", "baseline", "therapy", "assessment", "arm", "visit"):
        assert f'data-testid="timeline-{kind}"' in page, kind
