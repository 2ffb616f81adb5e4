"""Every page of every role meets WCAG 2.1 AA as axe-core measures it, in both languages.

Each site-A persona opens every page of `tests/browser/pages.py` once per language, in one
logged-in browser context, and axe-core (bundled by axe-playwright-python) runs there with the
WCAG 2.0/2.1 A and AA rules. Any violation fails the test with its rule, page and element.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.browser.pages import EXPECTED_STATUS, PERSONAS, pages_of
from tests.test_access_matrix import world  # noqa: F401 - `world` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def axe_violations(page, axe: Axe) -> list[str]:
    results = axe.run(page, options={**WCAG_21_AA, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_no_wcag_violation(persona, world, login_as, page, request, live_server):  # noqa: F811
    user = request.getfixturevalue(persona)
    if persona == "admin_a":
        user.is_staff = user.is_superuser = True
        user.save()
    urls = pages_of(persona, world)
    axe = Axe()
    login_as(user, "/")
    problems = []
    for language in LANGUAGES:
        page.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                }
            ]
        )
        for url in urls:
            # The reports page computes its figures on a first visit: slow on a busy machine.
            response = page.goto(url, timeout=60_000)
            assert response is not None
            assert response.status == EXPECTED_STATUS.get(url, 200) or response.status == 403, url
            # WCAG is about pages: the health check's plain text is no HTML to judge.
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            problems += [f"[{language}] {url}: {v}" for v in axe_violations(page, axe)]
    assert not problems, _summary(problems)


def _summary(problems: list[str]) -> str:
    """One line per distinct violation, with how many pages show it, then every page."""
    by_kind: dict[str, list[str]] = {}
    for problem in problems:
        where, _sep, what = problem.partition(": ")
        by_kind.setdefault(what, []).append(where)
    lines = [f"{len(wheres)} page(s): {what} e.g. {wheres[0]}" for what, wheres in by_kind.items()]
    return f"{len(problems)} violations\n" + "\n".join(sorted(lines))
