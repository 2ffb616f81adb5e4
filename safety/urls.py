from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("", views.safety_report, name="report"),
    path("serious/", views.sae_worklist, name="sae_worklist"),
    path("terms/grades/", views.term_grades, name="term_grades"),
    path("participants/<int:pk>/", views.participant_safety, name="participant"),
    path("participants/<int:pk>/adverse-events/add/", views.ae_create, name="ae_create"),
    path("participants/<int:pk>/death/", views.death_report, name="death_report"),
    path(
        "participants/<int:pk>/radiotherapy/add/",
        views.radiotherapy_create,
        name="radiotherapy_create",
    ),
    path("adverse-events/<int:pk>/", views.ae_detail, name="ae_detail"),
    path("adverse-events/<int:pk>/edit/", views.ae_edit, name="ae_edit"),
    path("adverse-events/<int:pk>/assess/", views.ae_assess, name="ae_assess"),
    path("adverse-events/<int:pk>/code/", views.ae_code, name="ae_code"),
    path("adverse-events/<int:pk>/follow-up/add/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/", views.follow_up_edit, name="follow_up_edit"),
    path("radiotherapy/<int:pk>/", views.radiotherapy_edit, name="radiotherapy_edit"),
]
