from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("download/", views.download, name="download"),
    path("jobs/", views.start_job, name="start_job"),
    path("jobs/<uuid:key>/", views.job, name="job"),
    path("jobs/<uuid:key>/status.json", views.job_status, name="job_status"),
    path("jobs/<uuid:key>/download/", views.job_download, name="job_download"),
    path("casebooks/<str:study_id>.pdf", views.casebook_pdf, name="casebook_pdf"),
    path("blank-crf.pdf", views.blank_crf, name="blank_crf"),
]
