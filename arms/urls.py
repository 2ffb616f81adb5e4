from django.urls import path

from . import views

app_name = "arms"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("assignments/<int:pk>/", views.review, name="review"),
    path("assignments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("assignments/<int:pk>/override/", views.override, name="override"),
    path("participants/<int:pk>/", views.participant, name="participant"),
]
