"""The reports page: who sees it, what it counts, and the downloadable curves."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import figures, selectors

pytestmark = pytest.mark.django_db

INDEX = reverse("reports:index")


@pytest.mark.parametrize("persona", ["coordinator_a"], indirect=True)
def test_coordinators_cannot_see_reports(client, persona):
    client.force_login(persona)
    assert client.get(INDEX).status_code == 403
    assert client.get(reverse("reports:km_svg", args=["os"])).status_code == 403
    assert client.post(INDEX).status_code == 403


@pytest.mark.parametrize("persona", ["investigator_a", "data_manager_a", "admin_a"], indirect=True)
def test_investigators_data_managers_and_admins_see_reports(client, trial, persona):
    client.force_login(persona)
    response = client.get(INDEX)
    assert response.status_code == 200
    for outcome in ("os", "dpfs", "lrpfs"):
        assert f'data-testid="km-{outcome}"'.encode() in response.content
    assert b"<svg" in response.content


def _counts(user):
    return selectors.counts(user.sites_where(figures.ACTION))


def test_the_flow_counts_the_user_s_sites_only(trial, investigator_a):
    flow = figures.flow(_counts(investigator_a))
    assert flow.screened == 2  # the enrolled patient's screening and the screen failure
    assert flow.screen_failed == 1
    assert [(code, n) for code, _label, n in flow.failures_by_criterion] == [
        ("de_novo_stage_iv", 1)
    ]
    assert flow.enrolled == 3  # site B's participant is not counted
    assert flow.assigned == {1: 1}  # first signed arm
    assert flow.not_assigned == 2
    assert flow.died == 1
    assert flow.in_follow_up == 2
    assert flow.completed == flow.lost == 0


def test_arm_distribution_and_moves(trial, investigator_a):
    distribution = figures.arm_distribution(_counts(investigator_a))
    assert distribution["current"] == [(4, 1)]
    assert distribution["moves"] == [((1, 4), 1)]


def test_overdue_visits_by_site(trial, investigator_a, site_a):
    # Planned from 2026-01-05, the site A participants' early visits not done are overdue.
    overdue = dict(figures.present(_counts(investigator_a))["overdue"])
    assert set(overdue) == {site_a}
    assert overdue[site_a] > 0


def test_km_curves_use_the_endpoints_outcomes(trial, investigator_a):
    os = figures.kaplan_meier(figures.estimates(_counts(investigator_a))["os"])
    assert [(c.label, c.n, c.events) for c in os.curves] == [("Arm 1", 1, 1)]
    assert os.curves[0].steps[-1] == (268.0, 0.0)  # died 268 days after diagnosis


def test_a_curve_downloads_as_svg(client, trial, investigator_a):
    client.force_login(investigator_a)
    response = client.get(reverse("reports:km_svg", args=["dpfs"]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"<svg")
    assert client.get(reverse("reports:km_svg", args=["nonsense"])).status_code == 404


def test_the_page_s_queries_do_not_grow_with_the_trial(client, trial, investigator_a, site_a,
                                                        coordinator_a):  # fmt: skip
    from tests.exports.trial import participant_with_visits

    client.force_login(investigator_a)
    client.get(INDEX)

    def count() -> int:  # recomputed, not read from the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.post(INDEX, follow=True).status_code == 200
        return len(queries)

    before = count()
    for _ in range(4):
        participant_with_visits(site_a, coordinator_a, diagnosis_date=trial.dead.diagnosis_date,
                                enrolment_date=trial.dead.enrolment_date)  # fmt: skip
    assert count() == before


def _enrolled(response) -> str:
    return re.search(rb'data-count="enrolled">(\d+)<', response.content).group(1).decode()


def test_figures_are_kept_until_recomputed(client, trial, investigator_a, site_a, coordinator_a):
    from tests.exports.trial import participant_with_visits

    client.force_login(investigator_a)
    first = client.get(INDEX)
    assert _enrolled(first) == "3"
    assert b"Figures as of" in first.content
    participant_with_visits(site_a, coordinator_a, diagnosis_date=trial.dead.diagnosis_date,
                            enrolment_date=trial.dead.enrolment_date)  # fmt: skip
    assert _enrolled(client.get(INDEX)) == "3"  # as of the first computation
    recomputed = client.post(INDEX, follow=True)
    assert recomputed.redirect_chain == [(INDEX, 302)]
    assert _enrolled(recomputed) == "4"


def test_cached_figures_are_never_another_site_s(client, trial, investigator_a, investigator_b):
    client.force_login(investigator_a)
    assert _enrolled(client.get(INDEX)) == "3"
    client.force_login(investigator_b)
    assert _enrolled(client.get(INDEX)) == "1"  # site B's own, not site A's cached figures
