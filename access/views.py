from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_POST

from .http import AuthenticatedHttpRequest
from .languages import is_language, remember_in_session
from .roles import home_page
from .services import set_language_preference


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = home_page(request.user)
    if page is None:
        return render(request, "access/home_no_role.html")
    return redirect(page)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (POST, CSRF: the cookie for the browser), and for a logged-in
    user the choice stored on their account and in their session."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if is_language(language):
        remember_in_session(request, language)
        if request.user.is_authenticated:
            set_language_preference(user=request.user, language=language)
    return response
