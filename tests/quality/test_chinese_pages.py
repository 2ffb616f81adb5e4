"""Every page of the trial, for every role that may see it, in Simplified Chinese: no English
left (no run of two English words outside the allowlist below) and no code shown raw.

The pages are the access matrix's (tests/test_access_matrix.py, every URL of the project) with
its small trial, read by each of site A's personas whose role lets them in, plus the log-in page
and the Django admin's pages of the trial's own models. What a page shows is its text and the
attributes people read (title, aria-label, placeholder, alt, a button's value).
"""

import os
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from access.models import Site, User
from audit.models import ElectronicSignature
from safety import grading
from safety.models import CtcaeTerm
from tests.test_access_matrix import MATRIX, SITE_A, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
# Not pages: files (CSV, zip, SVG image), tested in their own apps.
NOT_PAGES = {"exports:download", "dataquality:audit_csv", "reports:km_svg"}
# Pages that name the exported files and columns (codes in exports, shown as written).
EXPORT_PAGES = {"exports:index", "home"}

# English that stays English on a Chinese page, each for a reason:
ALLOWED_ENGLISH = (
    # The product's and the protocol's names, and the standards quoted by name.
    "CS-EDC",
    "RECIST",
    "AJCC",
    "Kaplan-Meier",
    "Log-rank",
    "CFR",
    "CDISC ODM",
    # Data the matrix's trial typed in English (users' free text, not the interface).
    "Check the agents",
    "A visit is due",
    "breast lesion",
    "liver lesion",
    "Improving on antibiotics",
)
# Raw codes: snake_case or UPPER_SNAKE words (ecog_0_2, NON_CR_NON_PD, start_date).
RAW_CODE = re.compile(r"\b(?:[a-z0-9]+_[a-z0-9_]+|[A-Z0-9]+_[A-Z0-9_]+)\b")
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.chunks.append(values[name])
        if tag in ("input", "button") and values.get("type") in ("submit", "button"):
            self.chunks.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [c for c in (" ".join(chunk.split()) for chunk in parser.chunks) if c]


def english_runs(text: str, allowed: tuple[str, ...]) -> list[str]:
    """Runs of two or more English words in `text`, once the allowed names are taken out."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    runs: list[str] = []
    run: list[str] = []
    for token in text.split():
        word = token.strip("()[]{}.,;:!?\"'“”‘’（）：，。；、·/-–—#")
        if ENGLISH_WORD.fullmatch(word):
            run.append(word)
            continue
        if len(run) >= 2:
            runs.append(" ".join(run))
        run = []
    if len(run) >= 2:
        runs.append(" ".join(run))
    return runs


def proper_names() -> tuple[str, ...]:
    """People's and hospitals' names, as the trial stores them."""
    names = [u.get_full_name() for u in User.objects.all()]
    names += [u.username for u in User.objects.all()]
    names += [s.name for s in Site.objects.all()]
    names += list(ElectronicSignature.objects.values_list("printed_name", flat=True))
    return tuple(n for n in names if n)


def ctcae_vocabulary() -> tuple[str, ...]:
    """The CTCAE v5.0 vocabulary, a standard quoted by name like RECIST: its terms, organ
    classes and grade definitions are shown as NCI publishes them (the repo ships no Chinese
    edition of the list; docs/glossary.md), and the general grade guidelines with them."""
    texts: set[str] = set(grading.GRADE_GUIDELINES.values())
    for row in CtcaeTerm.objects.values_list(
        "soc", "term", "grade_1", "grade_2", "grade_3", "grade_4", "grade_5", "definition"
    ):
        texts.update(text for text in row if text)
    return tuple(texts)


def page_problems(
    html: str, *, codes_allowed: bool = False, data: tuple[str, ...] = ()
) -> list[str]:
    vocabulary = tuple(text for text in ctcae_vocabulary() if text in html)
    allowed = ALLOWED_ENGLISH + proper_names() + data + vocabulary
    problems = []
    for chunk in visible_text(html):
        problems += [f"English: {run!r} in {chunk!r}" for run in english_runs(chunk, allowed)]
        if not codes_allowed:
            text = chunk
            for name in allowed:
                text = text.replace(name, " ")
            problems += [f"raw code: {c!r} in {chunk!r}" for c in RAW_CODE.findall(text)]
    return problems


def test_the_checker_finds_english_and_codes():
    html = (
        '<p title="Open the form">受试者</p><p>状态：ecog_0_2 · NON_CR_NON_PD</p>'
        "<p>Kaplan-Meier 曲线 CR</p><script>var a_b = 'x y';</script>"
    )
    assert page_problems(html) == [
        "English: 'Open the form' in 'Open the form'",
        "raw code: 'ecog_0_2' in '状态：ecog_0_2 · NON_CR_NON_PD'",
        "raw code: 'NON_CR_NON_PD' in '状态：ecog_0_2 · NON_CR_NON_PD'",
    ]


def _pages():
    for name, row in sorted(MATRIX.items()):
        if row.method != "get" or name in NOT_PAGES:
            continue
        for persona in SITE_A:
            if persona in row.allowed:
                yield name, persona


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_page_of_every_role_is_in_chinese(language, world, client, request):  # noqa: F811
    """In Chinese: no English and no raw code; in English: no raw code."""
    problems: dict[str, list[str]] = {}
    checked = 0
    for name, persona in _pages():
        client.force_login(request.getfixturevalue(persona))
        url = reverse(name, kwargs=MATRIX[name].args(world))
        response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (name, persona, response.status_code)
        # A file (a PDF casebook, an export's download) is not a page: tested in its own app.
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert f'lang="{language}"' in html
        # The exports page names the files and columns it writes: codes, by design.
        # A page that redirects (the second factor's) is judged as the page it lands on.
        landed = response.resolver_match.view_name if response.resolver_match else name
        found = page_problems(html, codes_allowed=name in EXPORT_PAGES or landed in EXPORT_PAGES)
        if language == "en":
            found = [f for f in found if f.startswith("raw code")]
        if found:
            problems[f"{name} ({persona})"] = sorted(set(found))
        checked += 1
    assert checked >= 50
    if problems:
        unique = sorted({p for found in problems.values() for p in found})
        pytest.fail(f"{len(problems)} pages; each problem once:\n" + "\n".join(unique))


def test_the_login_page_is_in_chinese(client):
    response = client.get(reverse("login"), **ZH)
    assert page_problems(response.content.decode()) == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/access/user/",
        "/admin/access/site/",
        "/admin/notifications/outboxmessage/",
        "/admin/enrollment/participant/",
    ],
)
def test_the_admin_pages_of_the_trial_are_in_chinese(url, world, client, admin_a):  # noqa: F811
    admin_a.is_staff = admin_a.is_superuser = True
    admin_a.save()
    client.force_login(admin_a)
    response = client.get(url, **ZH)
    assert response.status_code == 200
    assert page_problems(response.content.decode()) == []


# --- The demo trial: every state the seed reaches (failed screenings, pending and signed arms,
# overdue visits, answered queries, off-study participants), each demo role's pages and the
# pages they link to ---------------------------------------------------------------------------

DEMO_USERS = ("coordinator_ch", "investigator_ch", "data_manager", "admin")
APP_LINK = re.compile(
    r'href="(/(?:enrollment|assessments|arms|followup|data-quality|notifications|reports|exports)'
    r'/[^"#?]*)"'
)
NAV_LINK = re.compile(r'class="nav-link[^"]*"[^>]*href="([^"]+)"')
FILES = (".csv", ".svg", ".zip")
MAX_PAGES_PER_USER = 40


def _demo_free_text() -> tuple[str, ...]:
    """What the seed types as a site's staff would (lesion locations, notes, agents): data."""
    from arms.models import ArmAssignment
    from assessments.models import BaselineLesion, TherapyLine
    from dataquality.models import QueryMessage
    from enrollment.models import Screening

    texts = list(BaselineLesion.objects.values_list("description", flat=True))
    texts += list(TherapyLine.objects.values_list("agents", flat=True))
    texts += list(Screening.objects.values_list("outcome_note", flat=True))
    texts += list(QueryMessage.objects.values_list("text", flat=True))
    texts += list(ArmAssignment.objects.values_list("override_reason", flat=True))
    # Signatures are shown as signed: the seed signs in the language it runs in.
    texts += list(ElectronicSignature.objects.values_list("meaning", flat=True))
    return tuple(t for t in texts if t)


def test_the_demo_trial_in_chinese(client):
    from django.core.management import call_command

    from access.demo import seed_sites_and_users
    from access.models import Preference

    # The demo's staff chose Chinese before the seed works: its notifications are written so.
    for user in User.objects.filter(pk__in=[u.pk for u in _seeded_users(seed_sites_and_users)]):
        Preference.objects.create(user=user, language="zh-hans")
    call_command("seed_demo", participants=16, stdout=open(os.devnull, "w"))  # noqa: SIM115
    data = _demo_free_text()
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    for username in DEMO_USERS:
        client.force_login(User.objects.get(username=username))
        home = client.get("/", follow=True, **ZH).content.decode()
        queue = re.findall(r'class="nav-link[^"]*"[^>]*href="([^"]+)"', home) + APP_LINK.findall(
            home
        )
        read = 0
        while queue and read < MAX_PAGES_PER_USER:
            url = queue.pop(0)
            if url in seen or url.endswith(FILES) or "/download" in url:
                continue
            seen.add(url)
            response = client.get(url, follow=True, **ZH)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            read += 1
            html = response.content.decode()
            queue += APP_LINK.findall(html)[:20]
            found = page_problems(html, codes_allowed=url.startswith("/exports/"), data=data)
            if found:
                problems[f"{url} ({username})"] = sorted(set(found))
    assert len(seen) >= 40
    assert problems == {}


def _seeded_users(seed):
    seed()
    return list(User.objects.all())


# --- Forms refused: the error messages are Chinese too -----------------------------------------

REFUSED_POSTS = (
    ("enrollment:screening_new", "coordinator_a", {"screening_date": "not a date", "ecog": "9"}),
    ("assessments:therapy_create", "coordinator_a", {"start_date": "2026-13-45"}),
    ("assessments:surgery_create", "coordinator_a", {}),
    ("assessments:baseline", "coordinator_a", {"er_percent": "140"}),
    ("followup:visit_record", "coordinator_a", {"visit_date": "", "vital_status": "dead"}),
    ("dataquality:query_new", "data_manager_a", {}),
    ("arms:confirm", "investigator_a", {"password": "wrong"}),
)


def test_a_refused_form_says_why_in_chinese(world, client, request):  # noqa: F811
    problems = {}
    for name, persona, data in REFUSED_POSTS:
        client.force_login(request.getfixturevalue(persona))
        response = client.post(reverse(name, kwargs=MATRIX[name].args(world)), data, **ZH)
        assert response.status_code in (200, 400), (name, response.status_code)
        html = response.content.decode()
        if found := page_problems(html):
            problems[name] = found
    assert problems == {}
