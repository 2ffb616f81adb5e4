"""The casebook, with every app's section, costs the same however long the participant's history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import recist
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


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
    assert _casebook_queries(client, three) == _casebook_queries(client, one)
