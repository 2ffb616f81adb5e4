from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from access.decorators import require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from arms.rules import ARMS

from . import figures, selectors


@require_http_methods(["GET", "POST"])
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the figures as of their last computation (reports.figures); POST: recompute them."""
    require_action(request.user, Action.VIEW_REPORTS)
    if request.method == "POST":
        figures.figures(request.user, refresh=True)
        return redirect("reports:index")
    return render(request, "reports/index.html", {"arms": ARMS, **figures.figures(request.user)})


@require_GET
@login_required
def km_svg(request: AuthenticatedHttpRequest, outcome: str) -> HttpResponse:
    require_action(request.user, Action.VIEW_REPORTS)
    if outcome not in selectors.OUTCOMES:
        raise Http404
    curves = figures.figures(request.user)["curves"]
    svg = next(curve["svg"] for curve in curves if curve["code"] == outcome)
    response = HttpResponse(svg, content_type="image/svg+xml")
    filename = f"cs-edc_km_{outcome}_{timezone.localdate().isoformat()}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
