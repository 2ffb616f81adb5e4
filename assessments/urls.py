from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant"),
    path("participants/<int:pk>/baseline/", views.baseline_edit, name="baseline"),
    path("participants/<int:pk>/therapy/add/", views.therapy_create, name="therapy_create"),
    path("therapy/<int:pk>/", views.therapy_edit, name="therapy_edit"),
    path(
        "participants/<int:pk>/assessments/add/",
        views.assessment_create,
        name="assessment_create",
    ),
    path(
        "participants/<int:pk>/assessments/preview/",
        views.assessment_preview,
        name="assessment_preview",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("participants/<int:pk>/surgery/add/", views.surgery_create, name="surgery_create"),
    path("surgery/<int:pk>/", views.surgery_edit, name="surgery_edit"),
]
