"""The reports page's figures: computed from the whole trial, kept in the cache, recomputed
on a schedule.

Every figure is a pass over the trial (at 100,000 participants, seconds of work), too much for
each page view. So the figures of a set of sites are computed once, stored in the cache with
the time they were computed, and shared by everyone who reports on the same sites in the same
language: the page says "as of" that time. They are recomputed

- by the Celery beat task `reports.tasks.refresh_figures_task` every REPORTS_REFRESH_SECONDS,
  for each set of sites that some active user reports on, so nobody waits for them;
- on demand, by anyone who may see them ("Recompute now");
- on a page view, when there are none younger than REPORTS_CACHE_SECONDS (first use, or no
  beat running). Then one process computes while the others wait for its result, instead of
  every web process computing the same figures at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from access.models import User
from access.roles import Action
from arms.rules import ARMS

from . import selectors, survival

ACTION = Action.VIEW_REPORTS
# A computation that takes longer than this is presumed dead, and another may start.
LOCK_SECONDS = 300
# How long a page view waits for another process's computation before computing itself
# (at 100,000 participants one computation takes about 4 s).
WAIT_SECONDS = 30
WAIT_POLL_SECONDS = 0.25


def arm_label(number: int) -> str:
    arm = ARMS.get(number)
    return _("Arm %(number)s") % {"number": number} if arm else str(number)


def _svg(km: survival.KaplanMeier) -> str:
    return survival.to_svg(
        km,
        p_label=_("Log-rank p ="),
        x_label=_("Months from diagnosis"),
        y_label=_("Probability without event"),
        at_risk_label=_("Number at risk"),
    )


def compute(user: Any) -> dict[str, Any]:
    """The figures of the user's sites, now, in the active language."""
    curves = selectors.kaplan_meier(user, arm_label=arm_label)
    return {
        "computed_at": timezone.now(),
        "flow": selectors.flow(user),
        "enrolment": selectors.enrolment_by_month(user),
        "distribution": selectors.arm_distribution(user),
        "overdue": selectors.overdue_by_site(user),
        # What the page shows of each estimate, not the estimate: the steps of 100,000
        # participants' curves would make megabytes to fetch on every page view.
        "curves": [
            {
                "code": code,
                "title": km.title,
                "p": survival.format_p(km.p_value),
                "svg": _svg(km),
                "arms": [(curve.label, curve.events, curve.n) for curve in km.curves],
            }
            for code, km in curves.items()
        ],
    }


def _key(user: Any) -> str:
    sites = ",".join(str(pk) for pk in sorted(user.sites_where(ACTION)))
    return f"reports:figures:v1:{get_language()}:{sites}"


def _store(key: str, user: Any) -> dict[str, Any]:
    figures = compute(user)
    cache.set(key, figures, settings.REPORTS_CACHE_SECONDS)
    return figures


def figures(user: Any, *, refresh: bool = False) -> dict[str, Any]:
    """The figures of the user's sites: from the cache, or computed (once at a time)."""
    key = _key(user)
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


def reporting_users() -> Iterable[User]:
    """One active user per distinct set of sites reported on: each set is computed once."""
    seen: set[tuple[int, ...]] = set()
    users = User.objects.filter(is_active=True, memberships__isnull=False).distinct()
    for user in users.prefetch_related("memberships").order_by("pk"):
        sites = tuple(sorted(user.sites_where(ACTION)))
        if sites and sites not in seen:
            seen.add(sites)
            yield user


def refresh_all() -> int:
    """Recompute the figures of every set of sites in use, in each of the trial's languages
    (a page is read in either). Returns how many sets were computed."""
    count = 0
    for user in reporting_users():
        for language, _name in settings.LANGUAGES:
            with override(language):
                _store(_key(user), user)
        count += 1
    return count
