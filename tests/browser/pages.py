"""The pages the browser checks visit (accessibility, widths), one list for them all.

Every GET page of the access matrix (`tests/test_access_matrix.MATRIX`) is in it, for each
persona the matrix lets in, so a page added to the matrix is checked without a line here.
`EXTRA_PAGES` adds what the matrix does not name: the login page, the error pages and the
Django admin's. A page that needs its own line goes there: (persona or ANYONE, url builder).
"""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from tests.test_access_matrix import MATRIX, NO_ARGS

PERSONAS = ("coordinator_a", "investigator_a", "data_manager_a", "admin_a")
ANYONE = "anyone"
# Downloads, not pages.
# Files, not pages: the browser downloads them.
NOT_PAGES = {
    "reports:km_svg",
    "dataquality:audit_csv",
    "exports:download",
    "exports:blank_crf",
    "exports:casebook_pdf",
    "exports:job_download",
}

UrlBuilder = Callable[[dict[str, Any]], str]

EXTRA_PAGES: list[tuple[str, UrlBuilder]] = [
    # Another site's record and a wrong address: the project's 404, in the site's style.
    (ANYONE, lambda w: "/no-such-page/"),
    # A page the role may not open: the project's 403.
    ("investigator_a", lambda w: reverse("followup:worklist")),
    ("admin_a", lambda w: reverse("admin:index")),
    (
        "admin_a",
        lambda w: reverse("admin:enrollment_participant_change", args=[w["participant"].pk]),
    ),
]

# Pages that answer other than 200 on purpose.
EXPECTED_STATUS = {"/no-such-page/": 404}


def pages_of(persona: str, world: dict[str, Any]) -> list[str]:
    """The URLs `persona` opens: the matrix's pages it may see, then the extra ones."""
    urls = []
    for name, row in sorted(MATRIX.items()):
        if row.method == "get" and persona in row.allowed and name not in NOT_PAGES:
            kwargs = row.args(world) if row.args is not NO_ARGS else None
            urls.append(reverse(name, kwargs=kwargs))
    urls += [build(world) for who, build in EXTRA_PAGES if who in (persona, ANYONE)]
    return urls


# The main pages, for the width checks: one per kind of page, opened by the persona who uses it.
MAIN_PAGES: list[tuple[str, str]] = [
    ("coordinator_a", "followup:worklist"),
    ("coordinator_a", "enrollment:screening_list"),
    ("coordinator_a", "enrollment:screening_new"),
    ("coordinator_a", "enrollment:casebook"),
    ("coordinator_a", "assessments:baseline"),
    ("coordinator_a", "assessments:assessment_create"),
    ("coordinator_a", "followup:participant_visits"),
    ("coordinator_a", "followup:unscheduled_visit"),
    ("investigator_a", "arms:queue"),
    ("investigator_a", "arms:review"),
    ("data_manager_a", "dataquality:form"),
    ("data_manager_a", "dataquality:query_list"),
    ("data_manager_a", "exports:index"),
    ("data_manager_a", "reports:index"),
]


def url_of(name: str, world: dict[str, Any]) -> str:
    row = MATRIX[name]
    kwargs = row.args(world) if row.args is not NO_ARGS else None
    return reverse(name, kwargs=kwargs)
