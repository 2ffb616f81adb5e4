from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("participants/<int:participant_pk>/", views.participant_visits, name="participant_visits"),
    path(
        "participants/<int:participant_pk>/unscheduled/",
        views.unscheduled_visit,
        name="unscheduled_visit",
    ),
    path("visits/<int:pk>/", views.visit_record, name="visit_record"),
    path("visits/<int:pk>/missed/", views.visit_missed, name="visit_missed"),
    path("visit-forms/<int:pk>/", views.visit_form, name="visit_form"),
]
