"""Data queries: opened by a data manager, answered by the site, closed or re-opened."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dataquality import selectors, services
from dataquality.models import DataQuery, QueryMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def query(therapy, data_manager_a):
    return services.open_query(
        record=therapy,
        field_name="agents",
        text="Agents differ from the chart.",
        user=data_manager_a,
    )


def test_the_query_cycle(query, coordinator_a, data_manager_a):
    assert (query.status, query.field_name, query.opened_by) == ("open", "agents", data_manager_a)
    services.answer_query(query=query, text="Corrected to paclitaxel.", user=coordinator_a)
    assert query.status == DataQuery.Status.ANSWERED
    services.reopen_query(query=query, text="Also check the start date.", user=data_manager_a)
    assert query.status == DataQuery.Status.OPEN
    services.answer_query(query=query, text="Start date is right.", user=coordinator_a)
    services.close_query(query=query, user=data_manager_a)
    assert query.status == DataQuery.Status.CLOSED
    kinds = list(query.messages.values_list("kind", flat=True))
    assert kinds == ["opened", "answered", "reopened", "answered", "closed"]
    assert (
        query.messages.get(kind=QueryMessage.Kind.ANSWERED, text__startswith="Corrected").author
        == coordinator_a
    )


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "investigator_a", "admin_a", "coordinator_b"], indirect=True
)
def test_only_a_data_manager_opens_a_query(therapy, persona):
    with pytest.raises(PermissionDenied):
        services.open_query(record=therapy, field_name="agents", text="?", user=persona)


@pytest.mark.parametrize(
    "persona", ["data_manager_a", "investigator_a", "admin_a", "coordinator_b"], indirect=True
)
def test_only_the_sites_coordinator_answers(query, persona):
    with pytest.raises(PermissionDenied):
        services.answer_query(query=query, text="Fixed", user=persona)


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a"], indirect=True)
def test_only_a_data_manager_closes_or_reopens(query, persona):
    with pytest.raises(PermissionDenied):
        services.close_query(query=query, user=persona)
    with pytest.raises(PermissionDenied):
        services.reopen_query(query=query, user=persona, text="Again")


def test_an_answered_query_cannot_be_answered_again(query, coordinator_a):
    services.answer_query(query=query, text="Fixed", user=coordinator_a)
    with pytest.raises(services.DataQualityError):
        services.answer_query(query=query, text="Fixed twice", user=coordinator_a)


def test_a_query_names_a_real_field(therapy, data_manager_a):
    with pytest.raises(services.DataQualityError):
        services.open_query(record=therapy, field_name="nonsense", text="?", user=data_manager_a)


def test_open_counts_on_the_casebook_list_and_nav(client, query, coordinator_a, data_manager_a):
    client.force_login(coordinator_a)
    casebook = client.get(reverse("enrollment:casebook", args=[query.participant.study_id]))
    assert "1 open query" in casebook.content.decode()
    assert 'data-testid="open-query-count"' in casebook.content.decode()
    assert selectors.open_query_count(coordinator_a) == 1
    assert selectors.open_query_count(data_manager_a) == 0  # waiting for the site
    services.answer_query(query=query, text="Fixed", user=coordinator_a)
    assert selectors.open_query_count(coordinator_a) == 0
    assert selectors.open_query_count(data_manager_a) == 1


def test_the_query_list_filters_by_status_and_site(client, query, coordinator_a, site_a, site_b):
    client.force_login(coordinator_a)
    url = reverse("dataquality:query_list")
    assert list(client.get(url).context["page_obj"]) == [query]
    assert list(client.get(url, {"status": "closed"}).context["page_obj"]) == []
    assert list(client.get(url, {"site": site_a.pk}).context["page_obj"]) == [query]


def test_another_sites_user_does_not_see_the_query(client, query, coordinator_b):
    client.force_login(coordinator_b)
    assert list(client.get(reverse("dataquality:query_list")).context["page_obj"]) == []
    assert client.get(reverse("dataquality:query_detail", args=[query.pk])).status_code == 404


def test_the_views_run_the_cycle(client, therapy, coordinator_a, data_manager_a):
    from django.contrib.contenttypes.models import ContentType

    form_id = ContentType.objects.get_for_model(therapy).pk
    client.force_login(coordinator_a)
    assert (
        client.get(reverse("dataquality:query_new", args=[form_id, therapy.pk])).status_code == 403
    )
    client.force_login(data_manager_a)
    response = client.post(
        reverse("dataquality:query_new", args=[form_id, therapy.pk]),
        {"field_name": "start_date", "text": "Please check the start date."},
    )
    query = DataQuery.objects.get()
    assert response.status_code == 302 and query.field_name == "start_date"
    assert (
        client.post(reverse("dataquality:query_answer", args=[query.pk]), {"text": "x"}).status_code
        == 403
    )
    client.force_login(coordinator_a)
    assert client.post(reverse("dataquality:query_close", args=[query.pk])).status_code == 403
    empty = client.post(reverse("dataquality:query_answer", args=[query.pk]), {"text": ""})
    assert empty.status_code == 400
    client.post(reverse("dataquality:query_answer", args=[query.pk]), {"text": "Checked."})
    client.force_login(data_manager_a)
    client.post(reverse("dataquality:query_close", args=[query.pk]), {"text": "Thanks"})
    query.refresh_from_db()
    assert query.status == DataQuery.Status.CLOSED


def test_the_query_list_makes_a_bounded_number_of_queries(
    client, therapy, coordinator_a, data_manager_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dataquality:query_list")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(coordinator_a)
    services.open_query(record=therapy, field_name="agents", text="?", user=data_manager_a)
    few = count()
    for _ in range(20):
        services.open_query(record=therapy, field_name="agents", text="?", user=data_manager_a)
    assert count() == few
