"""A data query end to end in a real browser: the data manager opens a query on a field from
the casebook, the coordinator sees it counted in the menu, corrects the value on the form with
a reason for change and answers, the data manager closes it."""

import pytest
from playwright.sync_api import expect

from assessments.models import TherapyLine
from audit.services import complete_form
from dataquality.models import DataQuery
from tests.factories import arms as arms_factories
from tests.factories.enrollment import enrolled_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_data_manager_opens_coordinator_answers_data_manager_closes(
    login_as, page, site_a, coordinator_a, data_manager_a
):
    participant = enrolled_participant(site_a, coordinator_a)
    line = arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)
    complete_form(record=line, user=coordinator_a)

    # The data manager opens a query on the therapy's agents, from the casebook.
    login_as(data_manager_a, f"/enrollment/participants/{participant.study_id}/")
    row = page.get_by_test_id("casebook-form-row").filter(has_text="Docetaxel")
    row.get_by_role("link", name="Queries, verification, audit trail").click()
    form = page.get_by_test_id("raise-query")
    form.get_by_label("Field").select_option("agents")
    form.get_by_label("Query").fill("The chart says paclitaxel: please check.")
    form.get_by_role("button", name="Open query").click()
    expect(page.get_by_test_id("query-status")).to_have_text("Open")
    query = DataQuery.objects.get()

    # The coordinator sees it waiting, corrects the value with a reason and answers.
    login_as(coordinator_a, "/data-quality/queries/")
    expect(page.get_by_test_id("open-query-count")).to_have_text("1")
    page.get_by_role("link", name=query.number).click()
    page.get_by_test_id("correct-on-form").click()
    page.get_by_label("Agents").fill("Paclitaxel")
    page.get_by_label("Reason for change").fill(f"Query {query.number}: chart checked")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/data-quality/queries/{query.pk}/")
    answer = page.get_by_test_id("answer-query")
    answer.get_by_label("Answer").fill("Corrected to paclitaxel on the form.")
    answer.get_by_role("button", name="Answer").click()
    expect(page.get_by_test_id("query-status")).to_have_text("Answered")
    line.refresh_from_db()
    assert line.agents == "Paclitaxel"
    assert line.history.first().history_change_reason == f"Query {query.number}: chart checked"

    # The data manager closes it.
    login_as(data_manager_a, f"/data-quality/queries/{query.pk}/")
    expect(page.get_by_test_id("query-thread")).to_contain_text("Corrected to paclitaxel")
    page.get_by_test_id("close-query").get_by_role("button", name="Close query").click()
    expect(page.get_by_test_id("query-status")).to_have_text("Closed")
    query.refresh_from_db()
    assert query.status == DataQuery.Status.CLOSED
    assert TherapyLine.objects.get(pk=line.pk).crf_status == "complete"
