from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.decorators import require_action
from access.roles import Action
from arms.rules import ARMS

from . import selectors, survival


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


def _compute(user: Any) -> dict[str, Any]:
    curves = selectors.kaplan_meier(user, arm_label=arm_label)
    return {
        "computed_at": timezone.now(),
        "flow": selectors.flow(user),
        "enrolment": selectors.enrolment_by_month(user),
        "distribution": selectors.arm_distribution(user),
        "overdue": selectors.overdue_by_site(user),
        "curves": [
            {"code": code, "km": km, "p": survival.format_p(km.p_value), "svg": _svg(km)}
            for code, km in curves.items()
        ],
    }


def _report(user: Any, *, refresh: bool = False) -> dict[str, Any]:
    """The report of the user's sites, computed at most every REPORTS_CACHE_SECONDS.

    Every figure is a pass over the whole trial (at 100,000 participants, seconds of work), so
    the page shows the figures as of the time they were computed, shared by everyone who
    reports on the same sites in the same language, and anyone may recompute them."""
    sites = ",".join(str(pk) for pk in sorted(user.sites_where(Action.VIEW_REPORTS)))
    key = f"reports:v1:{get_language()}:{sites}"
    report = None if refresh else cache.get(key)
    if report is None:
        report = _compute(user)
        cache.set(key, report, settings.REPORTS_CACHE_SECONDS)
    return report  # type: ignore[no-any-return]


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """GET: the report; POST: recompute it now, then show it."""
    require_action(request.user, Action.VIEW_REPORTS)
    if request.method == "POST":
        _report(request.user, refresh=True)
        return redirect("reports:index")
    return render(request, "reports/index.html", {"arms": ARMS, **_report(request.user)})


@require_GET
@login_required
def km_svg(request: HttpRequest, outcome: str) -> HttpResponse:
    require_action(request.user, Action.VIEW_REPORTS)
    if outcome not in selectors.OUTCOMES:
        raise Http404
    curve = next(c for c in _report(request.user)["curves"] if c["code"] == outcome)
    response = HttpResponse(curve["svg"], content_type="image/svg+xml")
    filename = f"cs-edc_km_{outcome}_{timezone.localdate().isoformat()}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
