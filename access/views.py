from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

# Each role's home is the page of its daily work.
HOME_PAGES = {
    "coordinator": "followup:worklist",  # visits overdue, due and upcoming
    "investigator": "arms:queue",  # arm proposals awaiting a signature
    "data_manager": "dataquality:query_list",  # open data queries
    "admin": "exports:index",  # taking the trial's data out
}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    page = HOME_PAGES.get(request.user.primary_role or "")
    if page is None:
        return render(request, "access/home_no_role.html")
    return redirect(page)
