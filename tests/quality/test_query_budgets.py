"""Each main page costs the same number of queries for 10 participants as for 1,000.

The trial is made by `scaledata.trial.generate_trial` (bulk inserts), half at the user's site
and half at another, so site scoping is in the picture too. A page is fetched once to warm the
per-process caches, counted at 10 participants, then counted again after 990 more.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arms.models import ArmAssignment
from enrollment.models import Participant
from scaledata.trial import generate_trial
from tests.quality import counters

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 1_000


@dataclass(frozen=True)
class Page:
    url: str  # a URL name, or "casebook"/"assessments" for the followed participant's page
    persona: str
    query: str = ""
    # The reports page shows cached figures (reports.figures): count its recomputation,
    # a POST that recomputes them and then shows the page.
    recompute: bool = False


PAGES = {
    "worklist": Page("followup:worklist", "coordinator_a"),
    "screening_log": Page("enrollment:screening_list", "coordinator_a"),
    "participant_search": Page("enrollment:participant_list", "coordinator_a", "q=AA-0"),
    "casebook": Page("casebook", "coordinator_a"),
    "assessments_participant": Page("assessments", "coordinator_a"),
    "review_queue": Page("arms:queue", "investigator_a"),
    "notifications": Page("notifications:list", "coordinator_a"),
    "exports": Page("exports:index", "data_manager_a"),
    "reports": Page("reports:index", "data_manager_a", recompute=True),
    "reports_cached": Page("reports:index", "data_manager_a"),
}

# Pages whose count grows with the participants: a bug for the page's owner, kept visible here.
GROWS: dict[str, str] = {}


def _url(page: Page, followed: Participant) -> str:
    if page.url == "casebook":
        url = reverse("enrollment:casebook", args=[followed.study_id])
    elif page.url == "assessments":
        url = reverse("assessments:participant", args=[followed.pk])
    else:
        url = reverse(page.url)
    return f"{url}?{page.query}" if page.query else url


def _count(client, url: str, *, recompute: bool = False) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, follow=True) if recompute else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _grow(sites, signers, notify, n: int, seed: int) -> None:
    generate_trial(participants=n, sites=sites, signers=signers, notify=notify, seed=seed)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=GROWS[n])) if n in GROWS else n
        for n in PAGES
    ],
)
def test_the_page_costs_the_same_for_10_and_1000_participants(
    name, client, request, site_a, site_b, investigator_a, coordinator_a, data_manager_a
):
    page = PAGES[name]
    sites = [site_a, site_b]
    signers = {site_a.pk: investigator_a}
    notify = {site_a.pk: coordinator_a}
    _grow(sites, signers, notify, SMALL, seed=1)
    followed = (
        ArmAssignment.objects.filter(participant__site=site_a).order_by("pk").first().participant
    )
    client.force_login(request.getfixturevalue(page.persona))
    url = _url(page, followed)
    client.get(url)  # warm the per-process caches (content types, site time zones)
    small = _count(client, url, recompute=page.recompute)

    _grow(sites, signers, notify, LARGE - SMALL, seed=2)
    assert Participant.objects.count() == LARGE
    large = _count(client, url, recompute=page.recompute)

    counters.record("query_budgets", {name: {"10": small, "1000": large}})
    assert large == small, f"{name}: {small} queries at {SMALL} participants, {large} at {LARGE}"
