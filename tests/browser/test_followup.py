import datetime as dt
import re

import pytest
from django.utils import timezone

from followup.models import PlannedVisit, Visit
from followup.services import send_due_reminders
from tests.factories.followup import participant_with_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_records_a_due_visit_from_the_worklist_and_clears_the_bell(
    page, login_as, site_a, coordinator_a
):
    from playwright.sync_api import expect

    today = timezone.localdate()
    p = participant_with_visits(
        site_a,
        coordinator_a,
        diagnosis_date=today - dt.timedelta(days=95),
        enrolment_date=today - dt.timedelta(days=10),
    )
    assert send_due_reminders(today=today)["due"] == 1

    login_as(coordinator_a, "/")
    expect(page.get_by_role("heading", name="Follow-up worklist")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    due = page.get_by_test_id("due")
    expect(due).to_contain_text(p.study_id)
    due.get_by_role("link", name="Record visit").click()

    visit_day = (p.enrolment_date + dt.timedelta(days=1)).isoformat()
    page.fill("#id_visit_date", visit_day)
    page.select_option("#id_vital_status", "alive")
    page.fill("#id_last_known_alive", visit_day)
    page.select_option("#id_distant_progression", "no")
    page.select_option("#id_locoregional_recurrence", "no")
    page.fill("#id_systemic_therapy", "letrozole + palbociclib")
    page.get_by_role("button", name="Save visit").click()

    expect(page.get_by_test_id("visits")).to_contain_text("Done")
    slot = PlannedVisit.objects.get(participant=p, code="M03")
    assert slot.status == PlannedVisit.Status.DONE
    assert Visit.objects.get(planned_visit=slot).systemic_therapy == "letrozole + palbociclib"

    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("unread-notifications")).to_contain_text(p.study_id)
    # Each "Done" button names its notification for a screen reader ("Done: ...").
    page.get_by_test_id("unread-notifications").get_by_role(
        "button", name=re.compile(r"^Done\b")
    ).first.click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)


def test_a_bad_visit_date_shows_at_the_field(page, login_as, site_a, coordinator_a):
    from playwright.sync_api import expect

    today = timezone.localdate()
    p = participant_with_visits(
        site_a,
        diagnosis_date=today - dt.timedelta(days=95),
        enrolment_date=today - dt.timedelta(days=10),
    )
    visit = p.planned_visits.get(code="M03")
    login_as(coordinator_a, f"/followup/visits/{visit.pk}/")
    page.fill("#id_visit_date", (today + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_text("This date is in the future.")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == PlannedVisit.Status.OPEN
    assert not Visit.objects.filter(planned_visit=visit).exists()
