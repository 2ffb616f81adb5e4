"""The reports page's figures: cached per set of sites, computed once at a time, refreshed
by the beat task and the command."""

import threading

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from access.roles import Role
from reports import figures, selectors
from reports.tasks import refresh_figures_task
from tests.factories.access import user_with_role

pytestmark = pytest.mark.django_db


def test_figures_are_computed_once_then_read_from_the_cache(trial, investigator_a, monkeypatch):
    first = figures.figures(investigator_a)
    assert first["flow"].enrolled == 3
    monkeypatch.setattr(figures, "compute", _must_not_compute)
    assert figures.figures(investigator_a)["computed_at"] == first["computed_at"]


def test_a_view_waits_for_the_figures_another_process_is_computing(
    trial, investigator_a, monkeypatch
):
    key = figures._key(investigator_a.sites_where(figures.ACTION))
    assert cache.add(f"{key}:computing", True)  # another process holds the computation
    ready = {"computed_at": "then", "marker": "theirs"}
    threading.Timer(0.3, cache.set, args=(key, ready)).start()
    monkeypatch.setattr(figures, "compute", _must_not_compute)
    assert figures.figures(investigator_a)["marker"] == "theirs"


def test_refresh_computes_each_set_of_sites_once(
    trial, investigator_a, investigator_b, data_manager_a, coordinator_a
):
    # investigator_a and data_manager_a report on site A, investigator_b on site B; a
    # coordinator reports on nothing.
    assert figures.refresh_all() == 2
    for user in (investigator_a, investigator_b):
        assert cache.get(figures._key(user.sites_where(figures.ACTION))) is not None


def test_the_beat_task_and_the_command_refresh(trial, investigator_a, capsys):
    assert refresh_figures_task.delay().get() == 1
    call_command("refresh_reports")
    assert "Recomputed the figures of 1 set(s) of sites in " in capsys.readouterr().out


def _must_not_compute(user):
    raise AssertionError("the figures were computed again")


def test_a_view_computes_itself_when_the_other_process_never_delivers(
    trial, investigator_a, monkeypatch
):
    lock = f"{figures._key(investigator_a.sites_where(figures.ACTION))}:computing"
    assert cache.add(lock, True)  # held by a process that died
    monkeypatch.setattr(figures, "WAIT_SECONDS", 0.3)
    assert figures.figures(investigator_a)["flow"].enrolled == 3
    assert cache.get(lock) is True  # not ours to release: it expires on its own


def test_the_sets_of_sites_are_listed_in_two_queries_however_many_users(
    trial, investigator_a, investigator_b, data_manager_a, coordinator_a,
    django_assert_num_queries,
):  # fmt: skip
    with django_assert_num_queries(2):  # the users, then all their memberships
        assert len(figures.reporting_sites()) == 2


def test_the_counts_of_two_sites_are_the_sum_of_each_site_s(trial, site_a, site_b):
    both = selectors.counts([site_a.pk, site_b.pk])
    assert both.enrolled == 4
    assert selectors.counts([site_a.pk]) + selectors.counts([site_b.pk]) == both
    with pytest.raises(ValueError, match="twice"):
        selectors.counts([site_a.pk]) + both


def test_refresh_counts_each_site_once_whatever_the_sets_and_languages(
    trial, site_a, site_b, investigator_a, investigator_b, django_assert_max_num_queries
):
    user_with_role(Role.DATA_MANAGER, site_a, site_b)  # a third set: both sites
    with CaptureQueriesContext(connection) as one_site:
        selectors.counts([site_a.pk])
    # The users and their memberships; each site's counts; the sites of each figure shown
    # (three sets, two languages).
    with django_assert_max_num_queries(2 + 2 * len(one_site) + 3 * 2):
        assert figures.refresh_all() == 3
    # What the page shows, in either language, is what a page view would compute.
    for user, language in ((investigator_b, "en"), (investigator_a, "zh-hans")):
        with override(language):
            stored = cache.get(figures._key(user.sites_where(figures.ACTION)))
            computed = figures.compute(user)
        for name in ("flow", "enrolment", "distribution", "overdue"):
            assert stored[name] == computed[name]
        assert [c["svg"] for c in stored["curves"]] == [c["svg"] for c in computed["curves"]]
