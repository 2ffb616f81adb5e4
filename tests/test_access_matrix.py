"""Every URL in the project, with every role, at the participant's own site and at another.

Each named URL has one row: how to build its arguments from a small trial at site A, the method,
and who gets through. Everyone else at site A is refused (403); users of site B see another
site's record as absent (404), and anonymous visitors are sent to log in; a public row answers
everyone, anonymous visitors too. A URL added to the project without a row here fails
`test_every_url_has_a_row`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import invitation_tokens
from arms.models import ArmAssignment
from assessments import recist
from dataquality.services import open_query
from exports.models import OutputJob
from followup.services import record_unscheduled_visit
from notifications.models import Notification
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories import safety as safety_factories
from tests.factories.enrollment import ScreeningFactory, enrolled_participant

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
SITE_A = (
    "coordinator_a",
    "investigator_a",
    "data_manager_a",
    "admin_a",
    "monitor_a",
    "statistician_a",
)
SITE_B = ("coordinator_b", "investigator_b", "monitor_b")
PERSONAS = (ANONYMOUS, *SITE_A, *SITE_B)
EVERYONE = frozenset(SITE_A + SITE_B)
EVERYONE_AT_A = frozenset(SITE_A)
# The statistician reads no participant's record: every one is absent (404) for them, as another
# site's is, and the pages that list participants are refused (403).
NO_RECORDS = frozenset({"statistician_a"})
READERS = EVERYONE - NO_RECORDS
READERS_AT_A = EVERYONE_AT_A - NO_RECORDS
REPORT_READERS = frozenset(
    {"investigator_a", "data_manager_a", "admin_a", "investigator_b", "monitor_a", "monitor_b"}
    | {"statistician_a"}
)
EXPORTERS = frozenset({"data_manager_a", "admin_a", "statistician_a"})

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
    # Served to everyone, anonymous visitors too: the health check, a forgotten password, an
    # invitation's link.
    public: bool = False

    @property
    def of_site_a(self) -> bool:
        return self.args is not NO_ARGS if self.site_record is None else self.site_record


def coordinators(*extra: str) -> frozenset[str]:
    return frozenset({"coordinator_a", *extra})


def pk(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda w: {"pk": w[key].pk}


# Queries and source data verification: data managers and the sponsor's monitors.
QUERIERS = frozenset({"data_manager_a", "monitor_a"})
DATA_MANAGERS = frozenset({"data_manager_a"})
ADMINS = frozenset({"admin_a"})


def _link(world: dict[str, Any], tokens: Any) -> dict[str, str]:
    """A working set-password link (a dead one is a 404), of a user no persona is: a log-in
    changes the user's token."""
    from tests.factories.access import UserFactory

    # One holder per kind of link: a second set_password would void the first token.
    user = UserFactory(username=f"link_holder_{type(tokens).__name__.lower()}")
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)}


VERIFIERS = frozenset({"data_manager_a", "monitor_a", "monitor_b"})
LOCKERS = frozenset({"data_manager_a", "admin_a"})


def form_args(world: dict[str, Any]) -> dict[str, Any]:
    therapy = world["therapy"]
    return {"form_id": ContentType.objects.get_for_model(therapy).pk, "pk": therapy.pk}


def job_key(world: dict[str, Any]) -> dict[str, Any]:
    return {"key": world["job"].key}


MATRIX: dict[str, Row] = {
    "home": Row(),
    "health": Row(public=True),
    # Screening and enrolment
    "enrollment:screening_list": Row(allowed=READERS),
    "enrollment:screening_new": Row(allowed=frozenset({"coordinator_a", "coordinator_b"})),
    "enrollment:screening_evaluate": Row(
        allowed=frozenset({"coordinator_a", "coordinator_b"}), method="post"
    ),
    "enrollment:screening_detail": Row(pk("screening"), READERS_AT_A),
    "enrollment:screening_enrol": Row(pk("screening"), coordinators(), method="post"),
    "enrollment:screening_fail": Row(pk("screening"), coordinators(), method="post"),
    "enrollment:participant_list": Row(allowed=READERS),
    "enrollment:casebook": Row(lambda w: {"study_id": w["participant"].study_id}, READERS_AT_A),
    "enrollment:off_study": Row(lambda w: {"study_id": w["participant"].study_id}, coordinators()),
    # Assessments
    "assessments:participant_list": Row(allowed=READERS),
    "assessments:participant": Row(pk("participant"), READERS_AT_A),
    "assessments:baseline": Row(pk("participant"), coordinators()),
    "assessments:therapy_create": Row(pk("participant"), coordinators()),
    "assessments:therapy_edit": Row(pk("therapy"), coordinators()),
    "assessments:assessment_create": Row(pk("participant"), coordinators()),
    "assessments:assessment_preview": Row(pk("participant"), coordinators(), method="post"),
    "assessments:assessment": Row(pk("assessment"), READERS_AT_A),
    "assessments:assessment_edit": Row(pk("draft_assessment"), coordinators()),
    "assessments:surgery_create": Row(pk("participant"), coordinators()),
    "assessments:surgery_edit": Row(pk("surgery"), coordinators()),
    # Arm assignment
    "arms:queue": Row(allowed=frozenset({"investigator_a", "investigator_b"})),
    "arms:review": Row(pk("assignment"), READERS_AT_A),
    "arms:confirm": Row(pk("assignment"), frozenset({"investigator_a"}), method="post"),
    "arms:override": Row(pk("assignment"), frozenset({"investigator_a"}), method="post"),
    "arms:participant": Row(pk("participant"), READERS_AT_A),
    # Follow-up
    "followup:worklist": Row(allowed=frozenset({"coordinator_a", "coordinator_b"})),
    "followup:participant_visits": Row(
        lambda w: {"participant_pk": w["participant"].pk}, READERS_AT_A
    ),
    "followup:unscheduled_visit": Row(
        lambda w: {"participant_pk": w["participant"].pk}, coordinators()
    ),
    "followup:visit_record": Row(pk("visit"), coordinators()),
    "followup:visit_missed": Row(pk("visit"), coordinators(), method="post"),
    "followup:visit_form": Row(pk("visit_form"), coordinators()),
    # Safety: adverse events, SAEs, death report, radiotherapy
    "safety:report": Row(
        allowed=frozenset(
            {"investigator_a", "data_manager_a", "admin_a", "investigator_b"}
            | {"monitor_a", "monitor_b"}
        )
    ),
    "safety:sae_worklist": Row(
        allowed=frozenset(
            {"investigator_a", "data_manager_a", "investigator_b", "monitor_a", "monitor_b"}
        )
    ),
    "safety:term_grades": Row(allowed=READERS, site_record=False),
    "safety:participant": Row(pk("participant"), READERS_AT_A),
    "safety:ae_create": Row(pk("participant"), coordinators()),
    "safety:death_report": Row(pk("participant"), coordinators()),
    "safety:radiotherapy_create": Row(pk("participant"), coordinators()),
    "safety:ae_detail": Row(pk("adverse_event"), READERS_AT_A),
    "safety:ae_edit": Row(pk("adverse_event"), coordinators()),
    "safety:ae_assess": Row(pk("adverse_event"), frozenset({"investigator_a"}), method="post"),
    "safety:ae_code": Row(pk("adverse_event"), DATA_MANAGERS, method="post"),
    "safety:follow_up_create": Row(pk("adverse_event"), coordinators()),
    "safety:follow_up_edit": Row(pk("follow_up"), coordinators()),
    "safety:radiotherapy_edit": Row(pk("radiotherapy"), coordinators()),
    # Notifications belong to their recipient alone.
    "notifications:list": Row(),
    "notifications:done": Row(pk("notification"), coordinators(), method="post", refused=404),
    "notifications:all_done": Row(method="post"),
    # Data quality: queries, form lifecycle, audit trail, casebook sign-off
    "dataquality:query_list": Row(allowed=READERS),
    "dataquality:query_detail": Row(pk("query"), READERS_AT_A),
    "dataquality:query_answer": Row(pk("query"), coordinators(), method="post"),
    "dataquality:query_close": Row(pk("query"), QUERIERS, method="post"),
    "dataquality:query_reopen": Row(pk("query"), QUERIERS, method="post"),
    "dataquality:form": Row(form_args, READERS_AT_A),
    "dataquality:query_new": Row(form_args, QUERIERS),
    "dataquality:form_complete": Row(form_args, coordinators(), method="post"),
    "dataquality:form_verify": Row(form_args, QUERIERS, method="post"),
    "dataquality:form_lock": Row(
        form_args, frozenset({"data_manager_a", "admin_a"}), method="post"
    ),
    "dataquality:form_unlock": Row(form_args, frozenset({"admin_a"}), method="post"),
    "dataquality:participant_audit": Row(
        lambda w: {"study_id": w["participant"].study_id}, READERS_AT_A
    ),
    "dataquality:casebook_sign": Row(
        lambda w: {"study_id": w["participant"].study_id}, frozenset({"investigator_a"})
    ),
    "dataquality:audit_csv": Row(allowed=EXPORTERS),
    "dataquality:sdv_worklist": Row(allowed=VERIFIERS),
    "dataquality:sdv_verify": Row(allowed=VERIFIERS, method="post"),
    # Exports and reports
    "exports:index": Row(allowed=EXPORTERS),
    "exports:download": Row(allowed=EXPORTERS),
    "exports:start_job": Row(allowed=EXPORTERS, method="post"),
    # A job and its file belong to the user who started it (admin_a's here).
    "exports:job": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:job_status": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:job_download": Row(job_key, frozenset({"admin_a"}), refused=404),
    "exports:casebook_pdf": Row(
        lambda w: {"study_id": w["participant"].study_id}, frozenset({"admin_a"})
    ),
    "exports:blank_crf": Row(allowed=EXPORTERS),
    "reports:index": Row(allowed=REPORT_READERS),
    "reports:km_svg": Row(lambda w: {"outcome": "os"}, REPORT_READERS, site_record=False),
    # Accounts: one's own password and second factor; the admins' staff page (a site A
    # membership and person: site B's users are refused by their role before any lookup).
    "accounts:password_change": Row(),
    "accounts:password_change_done": Row(),
    "accounts:password_reset": Row(public=True),
    "accounts:password_reset_done": Row(public=True),
    "accounts:password_reset_confirm": Row(
        lambda w: _link(w, default_token_generator), public=True
    ),
    "accounts:password_reset_complete": Row(public=True),
    "accounts:invitation": Row(lambda w: _link(w, invitation_tokens), public=True),
    "accounts:two_factor": Row(),
    "accounts:two_factor_enrol": Row(),
    "accounts:two_factor_verify": Row(),
    "accounts:backup_codes": Row(method="post"),
    "accounts:staff": Row(allowed=ADMINS),
    "accounts:invite": Row(allowed=ADMINS),
    "accounts:membership_role": Row(pk("membership"), ADMINS, method="post", site_record=False),
    "accounts:membership_end": Row(pk("membership"), ADMINS, method="post", site_record=False),
    "accounts:user_deactivate": Row(pk("person"), ADMINS, method="post", site_record=False),
    "accounts:user_second_factor_reset": Row(
        pk("person"), ADMINS, method="post", site_record=False
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
    surgery = arms_factories.surgery(participant, user, "mastectomy", start)
    event = safety_factories.serious_event(participant, surgery=surgery)
    return {
        "participant": participant,
        "screening": ScreeningFactory(site=site_a),
        "assessment": assessment,
        "draft_assessment": draft,
        "assignment": ArmAssignment.objects.get(assessment=assessment),
        "therapy": therapy,
        "surgery": surgery,
        "adverse_event": event,
        "follow_up": safety_factories.follow_up(event),
        "radiotherapy": safety_factories.radiotherapy(participant),
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
        "membership": user.memberships.get(),
        "person": user,
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
    if row.public:
        return "ok"
    if persona == ANONYMOUS:
        return "login"
    if persona in row.allowed:
        return "ok"
    if (persona in SITE_B or persona in NO_RECORDS) and row.of_site_a:
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
