from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/done/", views.notification_done, name="done"),
    path("done/", views.notification_all_done, name="all_done"),
]
