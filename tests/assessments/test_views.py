"""Views with personas: coordinators enter data at their site, others read, other sites 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import selectors
from assessments.models import Baseline, BaselineLesion, ResponseAssessment, Surgery, TherapyLine
from audit.services import complete_form
from tests.factories import assessments as f

pytestmark = pytest.mark.django_db

D1 = dt.date(2026, 3, 1)

BASELINE_POST = {
    "baseline_date": "2026-01-20",
    "histology": "ductal_nst",
    "grade": "2",
    "er_percent": "80",
    "pr_percent": "5",
    "her2_ihc": "2+",
    "her2_ish": "negative",
    "ki67_percent": "20",
    "clinical_t": "cT2",
    "clinical_n": "cN1",
    "distant_m": "cM1",
    "menopausal_status": "post",
    "germline_brca": "not_tested",
}


def _lesion_rows(rows, total=None):
    data = {
        "lesions-TOTAL_FORMS": str(total or max(len(rows), 3)),
        "lesions-INITIAL_FORMS": "0",
        "lesions-MIN_NUM_FORMS": "0",
        "lesions-MAX_NUM_FORMS": "1000",
    }
    for i, (organ, kind, mm) in enumerate(rows):
        data |= {
            f"lesions-{i}-organ_site": organ,
            f"lesions-{i}-description": f"{organ} {i}",
            f"lesions-{i}-kind": kind,
            f"lesions-{i}-baseline_mm": mm,
        }
    return data


@pytest.fixture
def participant(site_a):
    return f.participant(site_a)


@pytest.fixture
def baseline(participant, coordinator_a):
    return f.baseline(participant, coordinator_a)


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: f.TODAY)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("investigator_a", 200),
        ("data_manager_a", 200),
        ("coordinator_b", 404),
    ],
    indirect=["persona"],
)
def test_participant_page_is_scoped_to_the_site(client, participant, persona, status):
    client.force_login(persona)
    response = client.get(reverse("assessments:participant", args=[participant.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("investigator_a", 403),
        ("data_manager_a", 403),
        ("coordinator_b", 404),
    ],
    indirect=["persona"],
)
@pytest.mark.parametrize(
    "url_name", ["baseline", "therapy_create", "surgery_create", "assessment_create"]
)
def test_only_the_sites_coordinators_enter_data(client, baseline, persona, status, url_name):
    client.force_login(persona)
    response = client.get(reverse(f"assessments:{url_name}", args=[baseline.participant_id]))
    assert response.status_code == status


def test_the_other_sites_records_are_404(client, site_b, coordinator_a, coordinator_b):
    other = f.participant(site_b)
    f.baseline(other, coordinator_b)
    line = TherapyLine.objects.create(
        participant=other, category="endocrine", agents="x", start_date=dt.date(2026, 2, 1)
    )
    client.force_login(coordinator_a)
    assert client.get(reverse("assessments:therapy_edit", args=[line.pk])).status_code == 404
    assert (
        client.post(reverse("assessments:baseline", args=[other.pk]), BASELINE_POST).status_code
        == 404
    )


def test_anonymous_users_are_sent_to_login(client, participant):
    response = client.get(reverse("assessments:participant", args=[participant.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_readers_see_no_entry_links(client, baseline, investigator_a):
    client.force_login(investigator_a)
    response = client.get(reverse("assessments:participant", args=[baseline.participant_id]))
    assert b"Add response assessment" not in response.content


def test_the_list_shows_only_own_sites(client, participant, site_b, coordinator_a):
    other = f.participant(site_b)
    client.force_login(coordinator_a)
    content = client.get(reverse("assessments:participant_list")).content.decode()
    assert participant.study_id in content and other.study_id not in content


# --- Baseline form ----------------------------------------------------------------------------


def test_coordinator_enters_a_baseline_with_lesions(
    client, participant, coordinator_a, frozen_today
):
    client.force_login(coordinator_a)
    data = BASELINE_POST | _lesion_rows(
        [("breast", "target", "32"), ("regional_node", "target", "16"), ("bone", "non_target", "")]
    )
    response = client.post(reverse("assessments:baseline", args=[participant.pk]), data)
    assert response.status_code == 302, response.context["formset"].errors
    baseline = Baseline.objects.get(participant=participant)
    assert baseline.her2_category == "low" and baseline.pr_category == "low_positive"
    assert list(baseline.lesions.values_list("number", "compartment", "nodal")) == [
        (1, "primary", False),
        (2, "primary", True),
        (3, "metastatic", False),
    ]


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        ([("liver", "target", "8")], 0, "at least 10 mm"),
        ([("regional_node", "target", "12")], 0, "at least 15 mm"),
        ([("liver", "target", "-3")], 0, "cannot be negative"),
        ([("liver", "target", "")], 0, "needs its size"),
        ([("liver", "target", "20")] * 3, 2, "per organ"),
        (
            [(o, "target", "20") for o in ("liver", "liver", "lung", "lung", "bone", "brain")],
            5,
            "At most 5",
        ),
    ],
)
def test_bad_lesions_show_at_their_row_and_save_nothing(
    client, participant, coordinator_a, frozen_today, rows, where, message
):
    client.force_login(coordinator_a)
    data = BASELINE_POST | _lesion_rows(rows)
    response = client.post(reverse("assessments:baseline", args=[participant.pk]), data)
    assert response.status_code == 200
    row_errors = response.context["formset"].forms[where].errors
    assert any(message in e for errors in row_errors.values() for e in errors), row_errors
    assert not Baseline.objects.exists() and not BaselineLesion.objects.exists()


def test_baseline_in_the_future_is_a_field_error(client, participant, coordinator_a, frozen_today):
    client.force_login(coordinator_a)
    data = BASELINE_POST | {"baseline_date": "2026-12-01"} | _lesion_rows([])
    response = client.post(reverse("assessments:baseline", args=[participant.pk]), data)
    assert response.context["form"].errors == {"baseline_date": ["This date is in the future."]}
    assert not Baseline.objects.exists()


def test_editing_a_baseline_needs_a_reason_and_a_current_version(
    client, baseline, coordinator_a, frozen_today
):
    # A draft is edited freely; a completed form needs a reason for change (issue 9).
    complete_form(record=baseline, user=coordinator_a)  # version 2
    client.force_login(coordinator_a)
    url = reverse("assessments:baseline", args=[baseline.participant_id])
    lesions = list(baseline.lesions.all())
    data = BASELINE_POST | {
        "lesions-TOTAL_FORMS": str(len(lesions)),
        "lesions-INITIAL_FORMS": str(len(lesions)),
        "lesions-MIN_NUM_FORMS": "0",
        "lesions-MAX_NUM_FORMS": "1000",
        "loaded_version": "2",
    }
    for i, lesion in enumerate(lesions):
        data |= {
            f"lesions-{i}-id": str(lesion.pk),
            f"lesions-{i}-baseline": str(baseline.pk),
            f"lesions-{i}-organ_site": lesion.organ_site,
            f"lesions-{i}-description": lesion.description,
            f"lesions-{i}-kind": lesion.kind,
            f"lesions-{i}-baseline_mm": str(lesion.baseline_mm),
        }
    response = client.post(url, data)
    assert "reason" in response.context["form"].errors
    assert client.post(url, data | {"reason": "typo"}).status_code == 302
    stale = client.post(url, data | {"reason": "again"})  # still claims version 2
    assert "changed by someone else" in str(stale.context["form"].non_field_errors())
    assert Baseline.objects.get().version == 3


# --- Therapy and surgery forms ----------------------------------------------------------------


def test_therapy_stop_before_start_is_a_field_error(client, participant, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:therapy_create", args=[participant.pk]),
        {
            "line_number": "1",
            "category": "endocrine",
            "agents": "letrozole",
            "start_date": "2026-03-01",
            "stop_date": "2026-02-01",
            "reason_stopped": "toxicity",
        },
    )
    assert response.context["form"].errors == {
        "stop_date": ["The stop date cannot be before the start date."]
    }
    assert not TherapyLine.objects.exists()


def test_therapy_line_saved_and_edited(client, participant, coordinator_a, frozen_today):
    client.force_login(coordinator_a)
    data = {
        "line_number": "1",
        "category": "chemotherapy",
        "agents": "paclitaxel",
        "start_date": "2026-02-01",
    }
    assert (
        client.post(reverse("assessments:therapy_create", args=[participant.pk]), data).status_code
        == 302
    )
    line = TherapyLine.objects.get()
    response = client.post(
        reverse("assessments:therapy_edit", args=[line.pk]),
        data
        | {
            "stop_date": "2026-05-01",
            "reason_stopped": "completed",
            "reason": "stopped",
            "loaded_version": "1",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.stop_date, line.version) == (dt.date(2026, 5, 1), 2)


def test_surgery_with_pcr_is_shown(client, participant, coordinator_a, frozen_today):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:surgery_create", args=[participant.pk]),
        {
            "procedure": "mastectomy",
            "surgery_date": "2026-08-01",
            "ypt": "ypTis",
            "ypn": "ypN0",
            "residual_invasive_disease": "false",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("assessments:participant", args=[participant.pk]))
    assert b'data-testid="pcr">yes' in page.content


def test_surgery_resection_without_site_is_a_field_error(
    client, participant, coordinator_a, frozen_today
):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:surgery_create", args=[participant.pk]),
        {"procedure": "metastasis_resection", "surgery_date": "2026-08-01"},
    )
    assert "metastasis_site" in response.context["form"].errors
    assert not Surgery.objects.exists()


# --- Assessment form --------------------------------------------------------------------------


def _assessment_post(baseline, values, **extra):
    lesions = {x.organ_site: x for x in baseline.lesions.all()}
    data = {"assessment_date": "2026-03-01", "modality": "ct", "action": "complete"}
    for organ, value in values.items():
        lesion = lesions[organ]
        if lesion.is_target:
            if value == "ne":
                data[f"lesion_{lesion.pk}_ne"] = "on"
            else:
                data[f"lesion_{lesion.pk}_mm"] = value
        else:
            data[f"lesion_{lesion.pk}_status"] = value
    return data | extra


def test_coordinator_enters_an_assessment_and_sees_the_responses(
    client, baseline, coordinator_a, frozen_today
):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:assessment_create", args=[baseline.participant_id]),
        _assessment_post(baseline, {"breast": "0", "liver": "12"}),
        follow=True,
    )
    assessment = ResponseAssessment.objects.get()
    assert (assessment.primary_response, assessment.metastatic_response) == ("CR", "PR")
    assert assessment.is_complete
    content = response.content.decode()
    assert 'data-testid="primary-response">CR' in content
    assert 'data-testid="metastatic-response">PR' in content


@pytest.mark.parametrize(
    ("values", "extra", "field_suffix", "message"),
    [
        ({"breast": "-1", "liver": "12"}, {}, "breast_mm", "cannot be negative"),
        ({"breast": "", "liver": "12"}, {}, "breast_mm", "Give the size"),
        (
            {"breast": "10", "liver": "12"},
            {"assessment_date": "2026-01-10"},
            "assessment_date",
            "after the baseline",
        ),
        (
            {"breast": "10", "liver": "12"},
            {"assessment_date": "2026-12-10"},
            "assessment_date",
            "in the future",
        ),
    ],
)
def test_bad_assessment_input_is_a_field_error(
    client, baseline, coordinator_a, frozen_today, values, extra, field_suffix, message
):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:assessment_create", args=[baseline.participant_id]),
        _assessment_post(baseline, values, **extra),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    breast = baseline.lesions.get(organ_site="breast")
    field = field_suffix.replace("breast_", f"lesion_{breast.pk}_")
    assert any(message in e for e in errors[field]), errors
    assert not ResponseAssessment.objects.exists()


def test_draft_can_be_edited_then_completed(client, baseline, coordinator_a, frozen_today):
    client.force_login(coordinator_a)
    client.post(
        reverse("assessments:assessment_create", args=[baseline.participant_id]),
        _assessment_post(baseline, {"breast": "ne", "liver": "20"}, action="draft"),
    )
    draft = ResponseAssessment.objects.get()
    assert (draft.crf_status, draft.primary_target) == ("draft", "NE")
    response = client.post(
        reverse("assessments:assessment_edit", args=[draft.pk]),
        _assessment_post(
            baseline, {"breast": "20", "liver": "20"}, reason="measured", loaded_version="1"
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.crf_status, draft.primary_target) == ("complete", "PR")
    # Complete: the edit page now only shows it.
    assert client.get(reverse("assessments:assessment_edit", args=[draft.pk])).status_code == 302


def test_preview_computes_without_saving(client, baseline, coordinator_a, frozen_today):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:assessment_preview", args=[baseline.participant_id]),
        _assessment_post(baseline, {"breast": "40", "liver": "20"}),
    )
    content = response.content.decode()
    assert 'data-testid="preview-primary-response">PD' in content
    assert not ResponseAssessment.objects.exists()


# --- Query count ------------------------------------------------------------------------------


def _queries_for_page(client, participant):
    url = reverse("assessments:participant", args=[participant.pk])
    client.get(url)  # warm the session and the user's memberships
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_participant_page_query_count_does_not_grow_with_assessments(client, site_a, coordinator_a):
    counts = []
    for n in (1, 5):
        participant = f.participant(site_a)
        lesions = list(f.baseline(participant, coordinator_a).lesions.all())
        for i in range(n):
            f.assessment(
                participant,
                coordinator_a,
                {x.pk: f.mm(20 - i) for x in lesions},
                date=dt.date(2026, 3, 1) + dt.timedelta(days=30 * i),
            )
        TherapyLine.objects.create(
            participant=participant,
            category="endocrine",
            agents="x",
            start_date=dt.date(2026, 2, 1),
        )
        client.force_login(coordinator_a)
        counts.append(_queries_for_page(client, participant))
    print(f"participant page queries for 1 and 5 assessments: {counts}")
    assert counts[0] == counts[1], counts


def test_casebook_selector_runs_six_queries(site_a, coordinator_a, django_assert_num_queries):
    participant = f.participant(site_a)
    lesions = list(f.baseline(participant, coordinator_a).lesions.all())
    for i in range(3):
        f.assessment(
            participant,
            coordinator_a,
            {x.pk: f.mm(20) for x in lesions},
            date=dt.date(2026, 3, 1) + dt.timedelta(days=30 * i),
        )
    with django_assert_num_queries(6):
        casebook = selectors.casebook_assessments(participant)
        assert [e.kind for e in casebook.entries] == ["baseline"] + ["assessment"] * 3
        assert sum(len(a.measurements.all()) for a in casebook.assessments) == 6


@pytest.mark.parametrize(
    "url_name", ["baseline", "therapy_create", "surgery_create", "assessment_create"]
)
def test_garbage_input_is_a_form_error_never_a_500(client, baseline, coordinator_a, url_name):
    client.force_login(coordinator_a)
    junk = dict.fromkeys(
        (
            "baseline_date",
            "er_percent",
            "grade",
            "start_date",
            "stop_date",
            "surgery_date",
            "procedure",
            "assessment_date",
            "modality",
            "lesions-TOTAL_FORMS",
        ),
        "x" * 300,
    )
    response = client.post(reverse(f"assessments:{url_name}", args=[baseline.participant_id]), junk)
    assert response.status_code in (200, 400)


def test_assessment_page_of_another_site_is_404(client, site_b, coordinator_a, coordinator_b):
    other = f.participant(site_b)
    lesions = list(f.baseline(other, coordinator_b).lesions.all())
    done = f.assessment(other, coordinator_b, {x.pk: f.mm(20) for x in lesions}, date=D1)
    client.force_login(coordinator_a)
    for name in ("assessment", "assessment_edit"):
        assert client.get(reverse(f"assessments:{name}", args=[done.pk])).status_code == 404
