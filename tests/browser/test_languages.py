"""A browser set to Chinese gets the product in Chinese; the switcher changes it, for good.

Chromium with the zh-CN locale (its Accept-Language) logs in through the real form as each
demo role, sees every page of its navigation bar in Chinese, switches to English (the choice is
stored on the account, so it holds at the next log-in, whatever the browser says) and back.
"""

import re

import pytest
from playwright.sync_api import expect

from access.demo import DEMO_PASSWORD, seed_sites_and_users
from access.models import User
from access.roles import second_factor_required
from tests.factories.accounts import authenticator, code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")
# Acronyms Chinese clinical research writes in Latin letters, next to the Chinese term:
# 严重不良事件 (SAE). Any other Latin word in the navigation bar is an untranslated string.
LATIN_ACRONYMS = {"SAE"}


def untranslated_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in LATIN_ACRONYMS]


@pytest.fixture
def zh_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username, steps_ahead=1):
    """The password, then, for a role that needs one (investigators, data managers, ...), a
    code from the account's authenticator (the next period's: each code is accepted once)."""
    user = User.objects.get(username=username)
    device = authenticator(user) if second_factor_required(user) else None
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, username
    if device is not None:
        page.wait_for_url("**/accounts/two-factor/verify/**")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        page.locator("input[name=token]").fill(code(device, steps_ahead=steps_ahead))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/accounts/two-factor/" not in page.url, username


def nav_links(page) -> list[str]:
    return page.locator("#nav .nav-link").evaluate_all("links => links.map(a => a.href)")


def heading(page) -> str:
    return page.locator("main h1").first.inner_text()


@pytest.mark.parametrize("username", ["coordinator_ch", "investigator_ch", "data_manager", "admin"])
def test_a_chinese_browser_gets_every_main_page_in_chinese(zh_page, username):
    seed_sites_and_users()
    page = zh_page
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    log_in(page, username)
    links = nav_links(page)
    assert len(links) >= 4
    for link in links:
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        assert CJK.search(heading(page)), (link, heading(page))
        nav = page.locator("#nav .navbar-nav").inner_text()
        assert not untranslated_words(nav), (link, nav)


def test_the_switcher_changes_the_language_and_the_account_remembers_it(zh_page):
    seed_sites_and_users()
    page = zh_page
    log_in(page, "coordinator_ch")
    expect(page.locator("main h1").first).to_have_text("随访工作清单")

    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1").first).to_have_text("Follow-up worklist")
    assert User.objects.get(username="coordinator_ch").preference.language == "en"
    page.get_by_role("link", name="Screening log").click()
    expect(page.locator("main h1").first).to_contain_text("Screening")

    # The account's choice holds at the next log-in, although the browser asks for Chinese.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.context.clear_cookies()
    log_in(page, "coordinator_ch")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_test_id("language-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1").first).to_have_text("随访工作清单")
    assert User.objects.get(username="coordinator_ch").preference.language == "zh-hans"
