"""Playwright against Debian's Chromium, on pytest-django's live server."""

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories.accounts import code

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Playwright's assertions wait 5 s by default; CI runs two test processes and Chromium on two
# cores, where a form post that enrols a patient and plans her visits may take longer.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django calls the tests make
    # around it are ordinary synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Sign in through the real pages: the password, then, where the account has an
    authenticator, a code from it (`code` computes one for a device, default: the next
    period's, since each code is accepted once)."""

    def _log_in(username, password, device=None, steps_ahead=1):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if device is not None:
            page.wait_for_url("**/accounts/two-factor/verify/**")
            page.get_by_label("Code").fill(code(device, steps_ahead=steps_ahead))
            page.get_by_role("button", name="Verify").click()
            page.wait_for_load_state()
        return page

    return _log_in


@pytest.fixture
def login_as(page, live_server):
    """Sign `user` in by giving the browser a session made on the server, then open `path`
    (past the second factor too: tests/conftest.py makes force_login pass it)."""

    def _login(user, path="/"):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(path)
        return page

    return _login
