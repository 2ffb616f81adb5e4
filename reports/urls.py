from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("km/<slug:outcome>.svg", views.km_svg, name="km_svg"),
]
