from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from access.views import set_language

from .health import health

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    # Django's set_language, wrapped to store a logged-in user's choice on their account.
    path("i18n/setlang/", set_language, name="set_language"),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("enrollment/", include("enrollment.urls")),
    path("assessments/", include("assessments.urls")),
    path("arms/", include("arms.urls")),
    path("followup/", include("followup.urls")),
    path("safety/", include("safety.urls")),
    path("data-quality/", include("dataquality.urls")),
    path("notifications/", include("notifications.urls")),
    path("exports/", include("exports.urls")),
    path("reports/", include("reports.urls")),
    path("", include("access.urls")),
]
