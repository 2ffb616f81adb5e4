"""The interface language: the browser's until the user chooses, then the account's."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from access.languages import SESSION_KEY, html_lang, language_of
from access.models import Preference
from access.templatetags.locale_format import format_local_time, local_date, utc_offset
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db

SET_LANGUAGE = "/i18n/setlang/"


def test_the_browser_language_decides_before_the_user_chooses(client, coordinator_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("enrollment:screening_list"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="zh-Hans">' in page.content.decode()
    assert "筛选日志" in page.content.decode()
    page = client.get(reverse("enrollment:screening_list"), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="en">' in page.content.decode()


def test_choosing_stores_the_language_on_the_account_and_beats_the_browser(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(SET_LANGUAGE, {"language": "zh-hans", "next": "/enrollment/"})
    assert response.status_code == 302 and response["Location"] == "/enrollment/"
    assert Preference.objects.get(user=coordinator_a).language == "zh-hans"
    assert client.session[SESSION_KEY] == "zh-hans"
    page = client.get(reverse("enrollment:screening_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-Hans">' in page.content.decode()


def _log_in(client, user):
    """Through the log-in form (axes wants the request), as a person logs in."""
    data = {"username": user.username, "password": PASSWORD}
    assert client.post(reverse("login"), data).status_code == 302


def test_the_choice_comes_back_at_the_next_log_in(client, coordinator_a):
    Preference.objects.create(user=coordinator_a, language="zh-hans")
    _log_in(client, coordinator_a)
    assert client.session[SESSION_KEY] == "zh-hans"
    page = client.get(reverse("enrollment:screening_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "筛选日志" in page.content.decode()


def test_a_user_who_never_chose_keeps_the_browser_language_at_log_in(client, coordinator_a):
    _log_in(client, coordinator_a)
    assert SESSION_KEY not in client.session


def test_a_language_the_trial_does_not_have_changes_nothing(client, coordinator_a):
    client.force_login(coordinator_a)
    client.post(SET_LANGUAGE, {"language": "fr", "next": "/"})
    assert not Preference.objects.filter(user=coordinator_a).exists()
    assert SESSION_KEY not in client.session


def test_choosing_is_a_post_with_its_csrf_token(coordinator_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_a)
    assert client.get(SET_LANGUAGE, {"language": "zh-hans"}).status_code == 405
    assert client.post(SET_LANGUAGE, {"language": "zh-hans"}).status_code == 403
    assert not Preference.objects.filter(user=coordinator_a).exists()


def test_an_anonymous_visitor_chooses_for_the_browser_only(client):
    response = client.post(SET_LANGUAGE, {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "zh-hans"
    assert "登录" in client.get(reverse("login")).content.decode()
    assert not Preference.objects.exists()


def test_the_navigation_offers_the_other_language(client, coordinator_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("enrollment:screening_list"), HTTP_ACCEPT_LANGUAGE="zh-Hans")
    html = page.content.decode()
    assert 'data-testid="language-switcher"' in html and 'value="en"' in html
    assert 'value="zh-hans"' not in html  # not the one already shown


def test_language_of_a_recipient(coordinator_a, investigator_a):
    Preference.objects.create(user=coordinator_a, language="zh-hans")
    assert language_of(coordinator_a) == "zh-hans"
    assert language_of(investigator_a) == "en"  # never chose: the trial's default


@pytest.mark.parametrize(
    ("code", "tag"), [("zh-hans", "zh-Hans"), ("en", "en"), ("zh-hant", "zh-Hant")]
)
def test_html_lang(code, tag):
    assert html_lang(code) == tag


# --- Dates and times --------------------------------------------------------------------------

INSTANT = dt.datetime(2026, 12, 1, 17, 44, tzinfo=dt.UTC)  # 2026-12-02 01:44 in Shanghai


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2026-12-02 01:44 Beijing time / UTC+8"),
        ("zh-hans", "2026-12-02 01:44 北京时间 / UTC+8"),
    ],
)
def test_a_time_names_its_zone_unambiguously(language, expected):
    with translation.override(language):
        assert format_local_time(INSTANT) == expected


def test_other_zones_by_their_name_and_offset():
    assert format_local_time(INSTANT, "UTC") == "2026-12-01 17:44 UTC"
    assert format_local_time(INSTANT, "Asia/Kolkata") == "2026-12-01 23:14 Asia/Kolkata / UTC+5:30"
    assert utc_offset(INSTANT.astimezone(ZoneInfo("America/Havana"))) == "UTC-5"


def test_the_day_of_an_instant_is_the_trials_day():
    assert local_date(INSTANT) == "2026-12-02"
    assert local_date(dt.date(2026, 12, 1)) == "2026-12-01"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dates_are_iso_in_both_languages(language):
    from django.utils.formats import date_format, get_format

    with translation.override(language):
        assert date_format(dt.date(2026, 12, 1)) == "2026-12-01"
        assert date_format(dt.date(2026, 12, 1), "SHORT_DATE_FORMAT") == "2026-12-01"
        assert get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
