"""The Content-Security-Policy holds on every page: no violation in a real browser.

Each site-A persona opens every page of the access matrix it may see (the admin also the
Django admin's index, lists, forms and history pages), with the policy of the settings in
force. A violation shows twice, and both are listened to: as a `securitypolicyviolation`
event in the page (recorded by a script Playwright adds before the page's own, which the
policy does not govern) and as an error in the console.
"""

import contextlib

import pytest
from django.urls import reverse

from tests.test_access_matrix import MATRIX, NO_ARGS, world  # noqa: F401 - `world` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = ("coordinator_a", "investigator_a", "data_manager_a", "admin_a")
# Downloads, not pages.
NOT_PAGES = {
    "reports:km_svg",
    "dataquality:audit_csv",
    "exports:download",
    "exports:job_download",
    "exports:casebook_pdf",
    "exports:blank_crf",
}
# Links of one use (a set-password link, an invitation): their form is the password change's,
# checked on its own page; the reset is walked in the browser in tests/browser/test_accounts.py.
NOT_PAGES |= {"accounts:invitation", "accounts:password_reset_confirm"}
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _admin_pages(world) -> list[str]:  # noqa: F811
    therapy, participant = world["therapy"], world["participant"]
    return [
        reverse("admin:index"),
        reverse("admin:enrollment_participant_changelist"),
        reverse("admin:enrollment_participant_change", args=[participant.pk]),
        reverse("admin:assessments_therapyline_change", args=[therapy.pk]),
        reverse("admin:assessments_therapyline_history", args=[therapy.pk]),
        reverse("admin:access_user_changelist"),
        reverse("admin:access_user_add"),
    ]


def _pages_of(persona: str, world) -> list[str]:  # noqa: F811
    pages = []
    for name, row in sorted(MATRIX.items()):
        if row.method == "get" and persona in row.allowed and name not in NOT_PAGES:
            kwargs = row.args(world) if row.args is not NO_ARGS else None
            pages.append(reverse(name, kwargs=kwargs))
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_violates_the_content_security_policy(persona, world, login_as, page, request):  # noqa: F811
    user = request.getfixturevalue(persona)
    urls = _pages_of(persona, world)
    if persona == "admin_a":
        user.is_staff = user.is_superuser = True
        user.save()
        urls += _admin_pages(world)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.context.add_init_script(RECORD_VIOLATIONS)
    login_as(user, "/")
    violations = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        violations += [f"{url}: {v}" for v in page.evaluate("window.__cspViolations")]
    assert not violations, "\n".join(violations)
    assert not console, "\n".join(console)
    assert len(urls) >= 5

    # The control: an inline script is refused, and both listeners hear of it.
    with contextlib.suppress(Exception):  # Playwright may report the refusal itself
        page.add_script_tag(content="window.__inlineRan = true;")
    assert page.evaluate("window.__inlineRan") is None
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
    assert console
