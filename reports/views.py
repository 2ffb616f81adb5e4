from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

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


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_action(request.user, Action.VIEW_REPORTS)
    curves = selectors.kaplan_meier(request.user, arm_label=arm_label)
    distribution = selectors.arm_distribution(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "flow": selectors.flow(request.user),
            "arms": ARMS,
            "enrolment": selectors.enrolment_by_month(request.user),
            "distribution": distribution,
            "overdue": selectors.overdue_by_site(request.user),
            "curves": [
                {
                    "code": code,
                    "km": km,
                    "p": survival.format_p(km.p_value),
                    "svg": _svg(km),
                }
                for code, km in curves.items()
            ],
        },
    )


@require_GET
@login_required
def km_svg(request: HttpRequest, outcome: str) -> HttpResponse:
    require_action(request.user, Action.VIEW_REPORTS)
    if outcome not in selectors.OUTCOMES:
        raise Http404
    km = selectors.kaplan_meier(request.user, arm_label=arm_label)[outcome]
    response = HttpResponse(_svg(km), content_type="image/svg+xml")
    filename = f"cs-edc_km_{outcome}_{timezone.localdate().isoformat()}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
