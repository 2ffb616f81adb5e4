"""Every URL in the project, with every role, at the participant's own site and at another.

Each named URL has one row: how to build its arguments from a small trial at site A, the method,
and who gets through. Everyone else at site A is refused (403); users of site B see another
site's record as absent (404), and anonymous visitors are sent to log in. A URL added to the
project without a row here fails `test_every_url_has_a_row`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from arms.models import ArmAssignment
from assessments import recist
from dataquality.services import open_query
from exports.models import OutputJob
from followup.services import record_unscheduled_visit
from notifications.models import Notification
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories.enrollment import ScreeningFactory, enrolled_participant

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
SITE_A = ("coordinator_a", "investigator_a", "data_manager_a", "admin_a")
SITE_B = ("coordinator_b", "investigator_b")
PERSONAS = (ANONYMOUS, *SITE_A, *SITE_B)
EVERYONE = frozenset(SITE_A + SITE_B)
EVERYONE_AT_A = frozenset(SITE_A)

# Outside the matrix: Django's admin has its own staff permission system (tested in
# tests/audit), and these public pages serve everyone.
NOT_IN_MATRIX = {"login", "logout", "set_language"}


def NO_ARGS(world: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 (a sentinel, named as one)
    return {}


@dataclass(frozen=True)
class Row:
    args: Callable[[dict[str, Any]], dict[str, Any]] = NO_ARGS
    allowed: frozenset[str] = EVERYONE
    method: str = "get"
    # What site A's users outside `allowed` get: 403, or 404 for what is someone else's alone.
    refused: int = 403
    data: dict[str, str] = field(default_factory=dict)
    # A row about one of site A's records (site B's users get 404), or a page of the user's
    # own sites (site B's users are judged by their role, like site A's).
    site_record: bool | None = None

    @property
    def of_site_a(self) -> bool:
        return self.args is not NO_ARGS if self.site_record is None else self.site_record


def coordinators(*extra: str) -> frozenset[str]:
    return frozenset({"coordinator_a", *extra})


def pk(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda w: {"pk": w[key].pk}


DATA_MANAGERS = frozenset({"data_manager_a"})
LOCKERS = frozenset({"data_manager_a", "admin_a"})


def form_args(world: dict[str, Any]) -> dict[str, Any]:
    therapy = world["therapy"]
    return {"form_id": ContentType.objects.get_for_model(therapy).pk, "pk": therapy.pk}


def job_key(world: dict[str, Any]) -> dict[str, Any]:
    return {"key": world["job"].key}


MATRIX: dict[str, Row] = {
    "home": Row(),
    # Screening and enrolment
    "enrollment:screening_list": Row(),
    "enrollment:screening_new": Row(allowed=frozenset({"coordinator_a", "coordinator_b"})),
    "enrollment:screening_evaluate": Row(
        allowed=frozenset({"coordinator_a", "coordinator_b"}), method="post"
    ),
    "enrollment:screening_detail": Row(pk("screening"), EVERYONE_AT_A),
    "enrollment:screening_enrol": Row(pk("screening"), coordinators(), method="post"),
    "enrollment:screening_fail": Row(pk("screening"), coordinators(), method="post"),
    "enrollment:participant_list": Row(),
    "enrollment:casebook": Row(lambda w: {"study_id": w["participant"].study_id}, EVERYONE_AT_A),
    "enrollment:off_study": Row(lambda w: {"study_id": w["participant"].study_id}, coordinators()),
    # Assessments
    "assessments:participant_list": Row(),
    "assessments:participant": Row(pk("participant"), EVERYONE_AT_A),
    "assessments:baseline": Row(pk("participant"), coordinators()),
    "assessments:therapy_create": Row(pk("participant"), coordinators()),
    "assessments:therapy_edit": Row(pk("therapy"), coordinators()),
    "assessments:assessment_create": Row(pk("participant"), coordinators()),
    "assessments:assessment_preview": Row(pk("participant"), coordinators(), method="post"),
    "assessments:assessment": Row(pk("assessment"), EVERYONE_AT_A),
    "assessments:assessment_edit": Row(pk("draft_assessment"), coordinators()),
    "assessments:surgery_create": Row(pk("participant"), coordinators()),
    "assessments:surgery_edit": Row(pk("surgery"), coordinators()),
    # Arm assignment
    "arms:queue": Row(allowed=frozenset({"investigator_a", "investigator_b"})),
    "arms:review": Row(pk("assignment"), EVERYONE_AT_A),
    "arms:confirm": Row(pk("assignment"), frozenset({"investigator_a"}), method="post"),
    "arms:override": Row(pk("assignment"), frozenset({"investigator_a"}), method="post"),
    "arms:participant": Row(pk("participant"), EVERYONE_AT_A),
    # Follow-up
    "followup:worklist": Row(allowed=frozenset({"coordinator_a", "coordinator_b"})),
    "followup:participant_visits": Row(
        lambda w: {"participant_pk": w["participant"].pk}, EVERYONE_AT_A
    ),
    "followup:unscheduled_visit": Row(
        lambda w: {"participant_pk": w["participant"].pk}, coordinators()
    ),
    "followup:visit_record": Row(pk("visit"), coordinators()),
    "followup:visit_missed": Row(pk("visit"), coordinators(), method="post"),
    "followup:visit_form": Row(pk("visit_form"), coordinators()),
    # Notifications belong to their recipient alone.
    "notifications:list": Row(),
    "notifications:done": Row(pk("notification"), coordinators(), method="post", refused=404),
    "notifications:all_done": Row(method="post"),
    # Data quality: queries, form lifecycle, audit trail, casebook sign-off
    "dataquality:query_list": Row(),
    "dataquality:query_detail": Row(pk("query"), EVERYONE_AT_A),
    "dataquality:query_answer": Row(pk("query"), coordinators(), method="post"),
    "dataquality:query_close": Row(pk("query"), DATA_MANAGERS, method="post"),
    "dataquality:query_reopen": Row(pk("query"), DATA_MANAGERS, method="post"),
    "dataquality:form": Row(form_args, EVERYONE_AT_A),
    "dataquality:query_new": Row(form_args, DATA_MANAGERS),
    "dataquality:form_complete": Row(form_args, coordinators(), method="post"),
    "dataquality:form_verify": Row(form_args, DATA_MANAGERS, method="post"),
    "dataquality:form_lock": Row(
        form_args, frozenset({"data_manager_a", "admin_a"}), method="post"
    ),
    "dataquality:form_unlock": Row(form_args, frozenset({"admin_a"}), method="post"),
    "dataquality:participant_audit": Row(
        lambda w: {"study_id": w["participant"].study_id}, EVERYONE_AT_A
    ),
    "dataquality:casebook_sign": Row(
        lambda w: {"study_id": w["participant"].study_id}, frozenset({"investigator_a"})
    ),
    "dataquality:audit_csv": Row(allowed=frozenset({"data_manager_a", "admin_a"})),
    # Exports and reports
    "exports:index": Row(allowed=frozenset({"data_manager_a", "admin_a"})),
    "exports:download": Row(allowed=frozenset({"data_manager_a", "admin_a"})),
    "exports:start_job": Row(allowed=frozenset({"data_manager_a", "admin_a"}), method="post"),
    # A job and its file belong to the user who started it (admin_a's here).
    "exports:job": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:job_status": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:job_download": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:casebook_pdf": Row(
        lambda w: {"study_id": w["participant"].study_id}, frozenset({"admin_a"})
    ),
    "exports:blank_crf": Row(allowed=frozenset({"data_manager_a", "admin_a"})),
    "reports:index": Row(
        allowed=frozenset({"investigator_a", "data_manager_a", "admin_a", "investigator_b"})
    ),
    "reports:km_svg": Row(
        lambda w: {"outcome": "os"},
        frozenset({"investigator_a", "data_manager_a", "admin_a", "investigator_b"}),
        site_record=False,
    ),
}


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_row():
    names = set(_url_names(get_resolver().url_patterns)) - NOT_IN_MATRIX
    assert names - set(MATRIX) == set(), "add these URLs to the access matrix"
    assert set(MATRIX) - names == set(), "these matrix rows name no URL"


@pytest.fixture
def world(site_a, site_b, coordinator_a, request):
    """One participant at site A through every stage, with one record of each kind."""
    user = coordinator_a
    participant = enrolled_participant(site_a, user)
    af.baseline(participant, user)
    start = participant.enrolment_date
    assessment = arms_factories.completed_assessment(
        participant, user, primary=recist.PR, metastatic=recist.CR, date=start
    )
    draft = arms_factories.completed_assessment(
        participant,
        user,
        primary=recist.PR,
        metastatic=recist.PR,
        date=start + dt.timedelta(days=1),
        complete=False,
    )
    therapy = arms_factories.therapy_line(participant, user, start)
    return {
        "participant": participant,
        "screening": ScreeningFactory(site=site_a),
        "assessment": assessment,
        "draft_assessment": draft,
        "assignment": ArmAssignment.objects.get(assessment=assessment),
        "therapy": therapy,
        "surgery": arms_factories.surgery(participant, user, "mastectomy", start),
        "visit": participant.planned_visits.order_by("target").first(),
        "visit_form": record_unscheduled_visit(
            participant=participant,
            user=user,
            data={
                "visit_date": start,
                "vital_status": "alive",
                "last_known_alive": start,
                "distant_progression": False,
                "locoregional_recurrence": False,
            },
        ),
        "query": open_query(
            record=therapy,
            field_name="agents",
            text="Check the agents",
            user=request.getfixturevalue("data_manager_a"),
        ),
        "notification": Notification.objects.create(
            recipient=user, kind="test", message="A visit is due"
        ),
        "job": _done_job(request),
    }


def _done_job(request) -> OutputJob:
    """A finished export of admin_a's, with its file."""
    settings = request.getfixturevalue("settings")
    settings.OUTPUT_DIR = request.getfixturevalue("tmp_path") / "outputs"
    job = OutputJob.objects.create(
        user=request.getfixturevalue("admin_a"),
        output_format="odm",
        deidentified=True,
        state=OutputJob.State.DONE,
        file_name="odm.xml",
    )
    job.directory.mkdir(parents=True)
    job.path.write_text("<ODM/>")
    return job


def _expected(row: Row, persona: str) -> int | str:
    if persona == ANONYMOUS:
        return "login"
    if persona in row.allowed:
        return "ok"
    if persona in SITE_B and row.of_site_a:
        return 404
    return row.refused


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    if response.status_code in (403, 404):
        return response.status_code
    assert response.status_code < 500, response.status_code
    return "ok"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, request):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.args(world))
    users = {p: request.getfixturevalue(p) for p in PERSONAS if p != ANONYMOUS}
    actual, expected = {}, {}
    for persona in PERSONAS:
        client.logout()
        if persona != ANONYMOUS:
            client.force_login(users[persona])
        response = getattr(client, row.method)(url, row.data)
        actual[persona], expected[persona] = _outcome(response), _expected(row, persona)
    assert actual == expected
