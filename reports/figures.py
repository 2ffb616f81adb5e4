"""The reports page's figures: computed from the whole trial, kept in the cache, recomputed
on a schedule.

Every figure is a pass over the trial (at 100,000 participants, a second of work), too much
for each page view. So the figures of a set of sites are computed once, stored in the cache with
the time they were computed, and shared by everyone who reports on the same sites in the same
language: the page says "as of" that time. They are recomputed

- by the Celery beat task `reports.tasks.refresh_figures_task` every REPORTS_REFRESH_SECONDS,
  for each set of sites that some active user reports on, so nobody waits for them (each
  site counted once, each set's curves estimated once, whatever the languages);
- on demand, by anyone who may see them ("Recompute now");
- on a page view, when there are none younger than REPORTS_CACHE_SECONDS (first use, or no
  beat running). Then one process computes while the others wait for its result, instead of
  every web process computing the same figures at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from access.models import Site, User
from access.roles import Action
from arms.rules import ARMS
from enrollment import eligibility
from enrollment.labels import CRITERION_LABELS
from enrollment.models import OffStudy

from . import selectors, survival

ACTION = Action.VIEW_REPORTS
# A computation that takes longer than this is presumed dead, and another may start.
LOCK_SECONDS = 300
# How long a page view waits for another process's computation before computing itself
# (at 100,000 participants one computation takes about 1 s, the first in a process 2 s more).
WAIT_SECONDS = 30
WAIT_POLL_SECONDS = 0.25


def arm_label(number: int) -> str:
    arm = ARMS.get(number)
    return _("Arm %(number)s") % {"number": number} if arm else str(number)


@dataclass
class Flow:
    """The participants' flow from screening to the end of follow-up."""

    screened: int = 0
    in_screening: int = 0
    screen_failed: int = 0
    failures_by_criterion: list[tuple[str, str, int]] = field(default_factory=list)
    enrolled: int = 0
    assigned: dict[int, int] = field(default_factory=dict)  # first signed arm -> participants
    not_assigned: int = 0
    in_follow_up: int = 0
    off_study: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    died: int = 0
    lost: int = 0


def _signed(arms: Counter[int | None]) -> dict[int, int]:
    """Participants per signed arm, in the arms' order (without those not yet signed)."""
    return {arm: arms[arm] for arm in sorted(a for a in arms if a is not None) if arms[arm]}


def flow(counts: selectors.Counts) -> Flow:
    failed = counts.failed_criteria
    known = [code for code in eligibility.CRITERIA if failed[code]]
    return Flow(
        screened=counts.screened,
        in_screening=counts.in_screening,
        screen_failed=counts.screen_failed,
        failures_by_criterion=[
            (code, str(CRITERION_LABELS.get(code, code)), failed[code])
            for code in (*known, *sorted(set(failed) - set(eligibility.CRITERIA)))
        ],
        enrolled=counts.enrolled,
        assigned=_signed(counts.first_arms),
        not_assigned=counts.first_arms[None],
        in_follow_up=counts.in_follow_up,
        off_study=dict(sorted(counts.off_study.items())),
        completed=counts.off_study[OffStudy.Reason.COMPLETED],
        died=counts.died,
        lost=counts.off_study[OffStudy.Reason.LOST_TO_FOLLOW_UP],
    )


def arm_distribution(counts: selectors.Counts) -> dict[str, Any]:
    """Current arm per participant, and how many participants moved from one arm to another
    between consecutive signed assignments."""
    current = counts.current_arms
    return {
        "current": list(_signed(current).items()),
        "not_assigned": current[None],
        "moves": sorted(counts.moves.items()),
    }


def estimates(counts: selectors.Counts) -> dict[str, survival.KaplanMeier]:
    """Per outcome, the curves by arm at the first signed assignment, each curve labelled
    with its arm's number: in no language, so that one estimate serves every language."""
    curves = {}
    for code, observed in counts.survival.items():
        by_arm: dict[int, list[survival.Observation]] = {}
        for (arm, days, event), n in observed.items():
            by_arm.setdefault(arm, []).append(survival.Observation(days, event, n))
        groups = {str(arm): by_arm[arm] for arm in sorted(by_arm)}
        curves[code] = survival.estimate(code, groups)
    return curves


def kaplan_meier(km: survival.KaplanMeier) -> survival.KaplanMeier:
    """An estimate of `estimates`, titled and labelled in the active language."""
    return dataclasses.replace(
        km,
        title=str(selectors.OUTCOMES[km.title]),
        curves=[dataclasses.replace(c, label=arm_label(int(c.label))) for c in km.curves],
    )


def _svg(km: survival.KaplanMeier) -> str:
    return survival.to_svg(
        km,
        p_label=_("Log-rank p ="),
        x_label=_("Months from diagnosis"),
        y_label=_("Probability without event"),
        at_risk_label=_("Number at risk"),
    )


def present(
    counts: selectors.Counts, curves: dict[str, survival.KaplanMeier] | None = None
) -> dict[str, Any]:
    """The figures the page shows, from the counts (and their `estimates`, when made
    already), in the active language."""
    curves = estimates(counts) if curves is None else curves
    sites = Site.objects.filter(pk__in=counts.sites)
    figures: dict[str, Any] = {
        "computed_at": timezone.now(),
        "flow": flow(counts),
        "enrolment": sorted(counts.enrolment.items()),
        "distribution": arm_distribution(counts),
        "overdue": [(site, counts.overdue[site.pk]) for site in sites],
        # What the page shows of each estimate, not the estimate: the steps of 100,000
        # participants' curves would make megabytes to fetch on every page view.
        "curves": [],
    }
    for code, estimate in curves.items():
        km = kaplan_meier(estimate)
        figures["curves"].append(
            {
                "code": code,
                "title": km.title,
                "p": survival.format_p(km.p_value),
                "svg": _svg(km),
                "arms": [(curve.label, curve.events, curve.n) for curve in km.curves],
            }
        )
    return figures


def compute(user: Any) -> dict[str, Any]:
    """The figures of the user's sites, now, in the active language."""
    return present(selectors.counts(user.sites_where(ACTION)))


def _key(sites: Iterable[int], language: str | None = None) -> str:
    listed = ",".join(str(pk) for pk in sorted(sites))
    return f"reports:figures:v2:{language or get_language()}:{listed}"


def _store(key: str, user: Any) -> dict[str, Any]:
    figures = compute(user)
    cache.set(key, figures, settings.REPORTS_CACHE_SECONDS)
    return figures


def figures(user: Any, *, refresh: bool = False) -> dict[str, Any]:
    """The figures of the user's sites: from the cache, or computed (once at a time)."""
    key = _key(user.sites_where(ACTION))
    if refresh:
        return _store(key, user)
    found = cache.get(key)
    if found is not None:
        return cast(dict[str, Any], found)
    lock = f"{key}:computing"
    deadline = time.monotonic() + WAIT_SECONDS
    while not (owner := cache.add(lock, True, LOCK_SECONDS)):
        # Another process is computing these figures: wait for them rather than compute too.
        time.sleep(WAIT_POLL_SECONDS)
        found = cache.get(key)
        if found is not None:
            return cast(dict[str, Any], found)
        if time.monotonic() > deadline:
            break  # that process is slow or dead: compute them here
    try:
        return _store(key, user)
    finally:
        if owner:
            cache.delete(lock)


def reporting_sites() -> set[tuple[int, ...]]:
    """Each distinct set of sites that an active user reports on."""
    sets = set()
    users = User.objects.filter(is_active=True, memberships__isnull=False).distinct()
    for user in users.prefetch_related("memberships"):
        if sites := tuple(sorted(user.sites_where(ACTION))):
            sets.add(sites)
    return sets


def refresh_all(now: dt.datetime | None = None) -> int:
    """Recompute the figures of every set of sites in use, in each of the trial's languages
    (a page is read in either). Each site is counted once, and each set's curves estimated
    once: a set's counts are the sum of its sites' (`selectors.Counts`). Returns how many
    sets were computed."""
    sets = reporting_sites()
    every_site = {site for sites in sets for site in sites}
    per_site = {site: selectors.counts([site], now) for site in every_site}
    for sites in sets:
        counts = sum((per_site[site] for site in sites), selectors.Counts())
        curves = estimates(counts)
        for language, _name in settings.LANGUAGES:
            with override(language):
                cache.set(_key(sites), present(counts, curves), settings.REPORTS_CACHE_SECONDS)
    return len(sets)
