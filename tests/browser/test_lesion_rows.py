"""Baseline lesions, any number of them: rows added and removed in the page (or, without
the script, by the server), each control named for its row, and RECIST's limits said at the
formset."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import BaselineLesion
from tests.factories import assessments as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_pathology(page, when: dt.date) -> None:
    page.get_by_label("Date of baseline imaging").fill(when.isoformat())
    page.get_by_label("Histology").select_option("ductal_nst")
    page.get_by_label("ER, % of stained nuclei").fill("90")
    page.get_by_label("PR, % of stained nuclei").fill("20")
    page.get_by_label("HER2 IHC").select_option("1+")
    page.get_by_label("cT (AJCC 8th)").select_option("cT2")
    page.get_by_label("cN (AJCC 8th)").select_option("cN1")
    page.get_by_label("Menopausal status").select_option("post")


def _lesion(page, n: int, organ: str, where: str, kind: str, mm: str) -> None:
    page.get_by_label(f"Lesion {n} organ site", exact=True).select_option(organ)
    page.get_by_label(f"Lesion {n} location", exact=True).fill(where)
    page.get_by_label(f"Lesion {n} target or non-target", exact=True).select_option(kind)
    page.get_by_label(f"Lesion {n} size, mm", exact=True).fill(mm)


def test_rows_are_added_and_removed_in_the_page_and_the_limits_are_said(
    login_as, coordinator_a, site_a
):
    participant = f.participant(site_a)
    page = login_as(coordinator_a, f"/assessments/participants/{participant.pk}/baseline/")
    _fill_pathology(page, timezone.localdate() - dt.timedelta(days=60))
    add = page.get_by_role("button", name="Add a lesion row")
    for _ in range(3):
        add.click()
    expect(page.get_by_label("Lesion 6 organ site", exact=True)).to_be_focused()
    # A row added by mistake goes; the rows after it move up.
    page.get_by_role("button", name="Remove lesion 5").click()
    expect(page.get_by_label("Lesion 6 organ site", exact=True)).to_have_count(0)
    add.click()
    rows = [
        ("breast", "left breast, upper outer quadrant", "target", "32"),
        ("liver", "segment 7", "target", "21"),
        ("liver", "segment 2", "target", "18"),
        ("liver", "segment 4", "target", "15"),  # a third target in the liver: refused
        ("bone", "L3 vertebra", "non_target", ""),
        ("lung", "right lower lobe", "target", "12"),
    ]
    for n, row in enumerate(rows, start=1):
        _lesion(page, n, *row)
    location = page.get_by_label("Lesion 1 location", exact=True)
    assert location.evaluate("el => el.scrollWidth <= el.clientWidth"), "location clipped"
    page.get_by_role("button", name="Save baseline").click()
    expect(page.get_by_test_id("lesion-errors")).to_contain_text("At most 2 target lesions")
    assert not BaselineLesion.objects.exists()

    page.get_by_label("Lesion 4 target or non-target", exact=True).select_option("non_target")
    page.get_by_label("Lesion 4 size, mm", exact=True).fill("")
    page.get_by_role("button", name="Save baseline").click()
    expect(page.get_by_text("Baseline saved.")).to_be_visible()
    assert BaselineLesion.objects.count() == 6


def test_without_the_script_the_server_adds_the_row(browser, live_server, coordinator_a, site_a):
    from django.conf import settings
    from django.test import Client

    participant = f.participant(site_a)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    client = Client()
    client.force_login(coordinator_a)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"/assessments/participants/{participant.pk}/baseline/")
    page.get_by_label("Lesion 1 location", exact=True).fill("right breast")
    page.get_by_role("button", name="Add a lesion row").click()
    expect(page.get_by_label("Lesion 4 organ site", exact=True)).to_be_visible()
    # What was typed stays, and a half-filled form is not judged yet.
    expect(page.get_by_label("Lesion 1 location", exact=True)).to_have_value("right breast")
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    context.close()
