from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .http import AuthenticatedHttpRequest
from .roles import home_page


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = home_page(request.user)
    if page is None:
        return render(request, "access/home_no_role.html")
    return redirect(page)
