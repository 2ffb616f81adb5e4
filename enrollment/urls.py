from django.urls import path

from . import views
from .converters import STUDY_ID

app_name = "enrollment"

urlpatterns = [
    path("screenings/", views.screening_list, name="screening_list"),
    path("screenings/new/", views.screening_new, name="screening_new"),
    path("screenings/evaluate/", views.screening_evaluate, name="screening_evaluate"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/enrol/", views.screening_enrol, name="screening_enrol"),
    path("screenings/<int:pk>/fail/", views.screening_fail, name="screening_fail"),
    path("participants/", views.participant_list, name="participant_list"),
    path(f"participants/<{STUDY_ID}:study_id>/", views.participant_casebook, name="casebook"),
    path(
        f"participants/<{STUDY_ID}:study_id>/off-study/",
        views.participant_off_study,
        name="off_study",
    ),
]
