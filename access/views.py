from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .models import Site

# One home page per role; later issues replace each with the role's real work page.
HOME_TEMPLATES = {
    "coordinator": "access/home_coordinator.html",
    "investigator": "access/home_investigator.html",
    "data_manager": "access/home_data_manager.html",
    "admin": "access/home_admin.html",
}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.primary_role
    if role == "coordinator":
        # A coordinator's work is the follow-up worklist.
        return redirect("followup:worklist")
    if role == "investigator":
        # An investigator's work is the arm proposals awaiting their signature.
        return redirect("arms:queue")
    if role == "admin":
        # An administrator's work here is taking the trial's data out: the exports page.
        return redirect("exports:index")
    template = HOME_TEMPLATES.get(role or "", "access/home_no_role.html")
    sites = Site.objects.filter(pk__in=request.user.site_ids)
    return render(request, template, {"sites": sites, "role": role})
