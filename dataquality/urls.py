from django.urls import path

from enrollment.converters import STUDY_ID

from . import views

app_name = "dataquality"

urlpatterns = [
    path("queries/", views.query_list, name="query_list"),
    path("queries/<int:pk>/", views.query_detail, name="query_detail"),
    path("queries/<int:pk>/answer/", views.query_answer, name="query_answer"),
    path("queries/<int:pk>/close/", views.query_close, name="query_close"),
    path("queries/<int:pk>/reopen/", views.query_reopen, name="query_reopen"),
    path("verification/", views.sdv_worklist, name="sdv_worklist"),
    path("verification/verify/", views.sdv_verify, name="sdv_verify"),
    path("forms/<int:form_id>/<int:pk>/", views.form_detail, name="form"),
    path("forms/<int:form_id>/<int:pk>/queries/new/", views.query_new, name="query_new"),
    path(
        "forms/<int:form_id>/<int:pk>/complete/",
        views.form_transition,
        {"transition": "complete"},
        name="form_complete",
    ),
    path(
        "forms/<int:form_id>/<int:pk>/verify/",
        views.form_transition,
        {"transition": "verify"},
        name="form_verify",
    ),
    path(
        "forms/<int:form_id>/<int:pk>/lock/",
        views.form_transition,
        {"transition": "lock"},
        name="form_lock",
    ),
    path(
        "forms/<int:form_id>/<int:pk>/unlock/",
        views.form_transition,
        {"transition": "unlock"},
        name="form_unlock",
    ),
    path(
        f"participants/<{STUDY_ID}:study_id>/audit/",
        views.participant_audit,
        name="participant_audit",
    ),
    path(f"participants/<{STUDY_ID}:study_id>/sign/", views.casebook_sign, name="casebook_sign"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
]
