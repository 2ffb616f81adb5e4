"""Every form, driven by hypothesis with random and hostile values: no 500, nothing invalid saved.

The forms are found, not listed: each page of the access matrix is fetched as each site-A
persona allowed to see it, and every <form> on it is fuzzed as the persona whom the matrix
lets through to the form's action. Each field keeps what the page put there or gets a drawn
value (hostile strings, markup, SQL, odd Unicode with NUL bytes and bidi marks, numbers out of
range, impossible dates), so most submissions are "valid but for a few fields", the hardest
kind for a form. After each submission:

- the response is not a 5xx;
- when the input was refused (a 4xx, or the form shown again as an HTML 200), no row of the
  project's tables was added or removed;
- rows that were written pass their model's own validation (`full_clean`).

Then the same forms, and every URL of the access matrix, get what no browser sends (a NUL, a
lone surrogate's bytes, bytes that are not UTF-8, a 3 MB body, a JSON body): refused (400,
413) and nothing saved.

The number of submissions tried is printed after the run (tests/quality/conftest.py).
"""

import datetime as dt
import json
import os
import string
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import ClinicalRecord
from tests.quality import counters
from tests.quality.forms import Field, Form, forms_of
from tests.test_access_matrix import MATRIX, NO_ARGS, world  # noqa: F401 - `world` is a fixture
from trialsite.middleware import URL_ENCODED

pytestmark = pytest.mark.django_db

# Per page; FUZZ_EXAMPLES raises it for a longer hunt. The examples are the same on every run
# (derandomized, so CI is repeatable) unless FUZZ_RANDOM=1.
EXAMPLES_PER_PAGE = int(os.environ.get("FUZZ_EXAMPLES", "40"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
SITE_A_PERSONAS = (
    "coordinator_a",
    "investigator_a",
    "data_manager_a",
    "admin_a",
    "monitor_a",
    "statistician_a",
)
PROJECT_APPS = {
    "access",
    "accounts",
    "audit",
    "enrollment",
    "assessments",
    "arms",
    "followup",
    "safety",
    "notifications",
    "exports",
    "reports",
    "dataquality",
}
# Forms of the page frame, not of a page: logging out ends the session under the test.
NOT_FUZZED_ACTIONS = {"logout", "set_language"}
# (model, field): the model says "required" where its form offers "unknown" and saves None.
# Reported to the owner; kept out of the check so that the fuzz finds the next thing.
MODEL_FORM_DISAGREEMENTS: set[tuple[str, str]] = set()

# --- Values --------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",  # RTL and LTR marks
    "\ufeff",
    "Z\u0351\u0358\u0360\u0361",  # combining marks
    "\U0001f600" * 50,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "' OR '1'='1' --",
    "1; DROP TABLE enrollment_participant; --",
    "%s%s%s%n",
    "../../etc/passwd",
    "A" * 5_000,
    "9" * 400,
    "-1",
    "-0",
    "0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "2147483648",
    "-9223372036854775809",
    "0.0000000001",
    "1,5",
    "١٢٣",  # Arabic-Indic digits
    "１２",  # full-width digits
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "31/12/2026",
    "2026-02-29",
    "2024-02-29T25:61",
    "true",
    "false",
    "None",
    "null",
    "[]",
    "{}",
    '{"liver": "pathology"}',
]

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    max_size=300,
)
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
)
dates = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31)).map(dt.date.isoformat),
    st.tuples(st.integers(0, 10_000), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
)
hostile = st.one_of(st.sampled_from(HOSTILE), safe_text, numbers, dates)


def _value_for(f: Field) -> st.SearchStrategy[str]:
    """A drawn value for one field, leaning to its type but free to be anything."""
    if f.kind in ("select", "radio", "select-multiple", "checkbox") and f.options:
        typed: st.SearchStrategy[str] = st.sampled_from(f.options)
    elif f.kind == "number":
        typed = numbers
    elif f.kind in ("date", "datetime-local"):
        typed = dates
    elif f.kind == "hidden":
        typed = st.sampled_from(["0", "1", "-1", "1000000000", "x", ""])
    else:
        typed = safe_text
    return st.one_of(typed, st.sampled_from(HOSTILE))


def draw_submission(data: st.DataObject, form: Form) -> dict[str, list[str]]:
    """The page's values, with a drawn share of the fields replaced or left out."""
    submission = form.initial()
    names = sorted({f.name for f in form.fields})
    options = {f.name: f.options for f in form.fields if f.options}
    by_name = {f.name: f for f in form.fields}
    for f in form.fields:
        if f.kind in ("checkbox", "radio"):
            options.setdefault(f.name, []).append(f.value)
    changed = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    for name in changed:
        f = by_name[name]
        choice = data.draw(st.sampled_from(["value", "value", "absent", "many"]))
        if choice == "absent":
            submission.pop(name, None)
        elif choice == "many" and name in options:
            submission[name] = data.draw(st.lists(st.sampled_from(options[name]), max_size=4))
        else:
            submission[name] = [data.draw(_value_for(f))]
    return submission


# --- The database --------------------------------------------------------------------------


def _project_tables() -> list[str]:
    return sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in PROJECT_APPS and m._meta.managed
    )


def row_counts(tables: list[str]) -> dict[str, int]:
    """Every project table's row count, in one query."""
    # Table names from the models, not from input.
    select = ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def invalid_rows_written_since(since: dt.datetime) -> list[str]:
    """Clinical rows changed since `since` that their own model would refuse."""
    problems = []
    for model in apps.get_models():
        if not issubclass(model, ClinicalRecord):
            continue
        for obj in model._default_manager.filter(updated_at__gte=since):
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                errors = {
                    name: messages
                    for name, messages in exc.message_dict.items()
                    if (model._meta.label, name) not in MODEL_FORM_DISAGREEMENTS
                }
                if errors:
                    problems.append(f"{model._meta.label} {obj.pk}: {errors}")
    return problems


# --- Finding the forms ---------------------------------------------------------------------


def _url_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def _allowed(url: str, persona: str) -> bool:
    row = MATRIX.get(_url_name(url) or "")
    return row is None or persona in row.allowed


def _url_of(name: str, world) -> str:  # noqa: F811
    row = MATRIX[name]
    return reverse(name, kwargs=row.args(world)) if row.args is not NO_ARGS else reverse(name)


GET_PAGES = sorted(name for name, row in MATRIX.items() if row.method == "get")


def discover(client, users, page_url: str) -> list[tuple[str, Form]]:
    """(persona, form) for each distinct form on the page, as the persona who may submit it."""
    found: dict[tuple, tuple[str, Form]] = {}
    for persona in SITE_A_PERSONAS:
        if not _allowed(page_url, persona):
            continue
        client.force_login(users[persona])
        response = client.get(page_url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode(), page_url):
            name = _url_name(form.action)
            if name in NOT_FUZZED_ACTIONS or (name and name.split(":")[-1] == "set_language"):
                continue
            if form.method == "post" and not _allowed(form.action, persona):
                continue
            found.setdefault(form.signature, (persona, form))
    return list(found.values())


# --- The test ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", GET_PAGES)
def test_no_form_on_the_page_fails_or_saves_bad_data(page, world, client, request):  # noqa: F811
    page_url = _url_of(page, world)
    users = {p: request.getfixturevalue(p) for p in SITE_A_PERSONAS}
    targets = discover(client, users, page_url)
    if not targets:
        pytest.skip(f"{page} has no form")
    tables = _project_tables()

    @settings(
        max_examples=EXAMPLES_PER_PAGE,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=st.data())
    def submit(data):
        persona, form = data.draw(st.sampled_from(targets))
        submission = draw_submission(data, form)
        client.force_login(users[persona])
        before = row_counts(tables)
        since = timezone.now()
        if form.method == "post":
            response = client.post(form.action, submission)
        else:
            response = client.get(form.action, submission)
        target = f"{page} -> {_url_name(form.action)} ({form.method})"
        counters.add("fuzz", target)
        counters.add("fuzz_outcomes", f"HTTP {response.status_code}")
        counters.add("fuzz_outcomes_by_form", f"{target}: HTTP {response.status_code}")
        where = f"{form.method.upper()} {form.action} as {persona} with {submission!r}"
        assert response.status_code < 500, f"{response.status_code} for {where}"
        # Refused: an error status, or the form shown again (some views answer 200, some 400).
        refused = response.status_code >= 400 or (
            response.status_code == 200 and "html" in response.get("Content-Type", "")
        )
        if form.method == "post" and refused:
            after = row_counts(tables)
            grown = {t: (before[t], after[t]) for t in tables if before[t] != after[t]}
            assert not grown, f"a refused submission changed rows {grown}: {where}"
        bad = invalid_rows_written_since(since)
        assert not bad, f"invalid rows saved {bad}: {where}"

    submit()
    # The same forms with what no browser sends (NUL, surrogates, 3 MB, JSON): refused, and
    # nothing saved.
    assert_refused_and_nothing_saved(
        client, users, [(p, form.method, form.action, form.initial()) for p, form in targets]
    )


def test_the_hostile_values_cover_what_the_brief_names():
    joined = "".join(HOSTILE)
    assert "\x00" in joined and "\u202e" in joined and "<script>" in joined
    assert any(v.startswith("'") for v in HOSTILE) and "2026-02-30" in HOSTILE
    assert set(string.digits) <= set(joined)


# --- Hostile bodies and query strings, over every form and every URL -------------------------
#
# What no browser sends: a NUL, the UTF-8 form of a lone surrogate, bytes that are not UTF-8
# at all (what Python's surrogate escapes stand for), a 3 MB body, a JSON body. Each is sent
# to every form found on the pages (with the form's own fields) and to every URL of the access
# matrix (GET and POST): the answer is a refusal (400, 413, a 404 or 403 that comes first, or
# the form again with its errors), never a 5xx, and no row of the project is added, removed
# or changed.

THREE_MB = 3 * 1024 * 1024
# Raw bytes a field may hold, as they travel percent-escaped in a query string or form body.
HOSTILE_BYTES = {
    "NUL": b"\x00",
    "NUL inside text": b"abc\x00def",
    "a lone surrogate's UTF-8 form": "\udc80".encode("utf-8", "surrogatepass"),
    "a surrogate escape (a byte that is not UTF-8)": "\udcff".encode("utf-8", "surrogateescape"),
    "a truncated UTF-8 sequence": b"\xe6\x97",
}
REFUSED = {400, 403, 404, 405, 413}


def _url_encoded(fields: dict[str, list[str]], value: bytes | None = None) -> bytes:
    """The fields as a form body, every value replaced by `value` when given."""
    return b"&".join(
        quote_from_bytes(name.encode(), safe="").encode()
        + b"="
        + quote_from_bytes(v.encode("utf-8") if value is None else value, safe="").encode()
        for name, values in fields.items()
        for v in values
    )


def _multipart(fields: dict[str, list[str]], value: bytes) -> tuple[bytes, str]:
    boundary = b"----cs-edc-fuzz"
    parts = [
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name in fields
    ]
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary.decode()}"


def hostile_bodies(fields: dict[str, list[str]]) -> list[tuple[str, bytes, str]]:
    """(what, body, content type) for a form of these fields (a URL without a form: none)."""
    names = fields or {"field": [""]}
    out = [
        (f"{label} in every field", _url_encoded(names, raw), URL_ENCODED)
        for label, raw in HOSTILE_BYTES.items()
    ]
    out += [
        (f"{label} in every field, multipart", *_multipart(names, raw))
        for label, raw in HOSTILE_BYTES.items()
    ]
    big = dict(fields)
    big[next(iter(names))] = ["A" * THREE_MB]
    out.append(("3 MB in one field", _url_encoded(big), URL_ENCODED))
    out.append(("3 MB multipart", *_multipart(names, b"A" * THREE_MB)))
    out.append(("JSON of the form's values", json.dumps(fields).encode(), "application/json"))
    out.append(
        (
            "JSON with a NUL and a lone surrogate",
            b'{"' + next(iter(names)).encode() + b'": "\\u0000\\udc80"}',
            "application/json",
        )
    )
    return out


def hostile_queries(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    names = fields or {"page": [""]}
    return [
        (f"{label} in every parameter", _url_encoded(names, raw).decode("ascii"))
        for label, raw in HOSTILE_BYTES.items()
    ]


def _clinical_rows_changed_since(since: dt.datetime) -> list[str]:
    return [
        f"{model._meta.label} {pk}"
        for model in apps.get_models()
        if issubclass(model, ClinicalRecord)
        for pk in model._default_manager.filter(updated_at__gte=since).values_list("pk", flat=True)
    ]


def assert_refused_and_nothing_saved(
    client: Client, users: dict, targets: list[tuple[str, str, str, dict[str, list[str]]]]
) -> None:
    """Sends every hostile query string and body to each (persona, method, URL, fields)."""
    tables = _project_tables()
    failures: list[str] = []
    before, since = row_counts(tables), timezone.now()
    for persona, method, url, fields in targets:
        client.force_login(users[persona])
        sends = [
            (what, client.generic("GET", f"{urlsplit(url).path}?{query}"))
            for what, query in hostile_queries(fields)
        ]
        if method == "post":
            sends += [
                (what, client.generic("POST", url, body, content_type=content_type))
                for what, body, content_type in hostile_bodies(fields)
            ]
        for what, response in sends:
            counters.add("fuzz_hostile", f"{what}: HTTP {response.status_code}")
            refused = response.status_code in REFUSED or (
                response.status_code == 200 and "html" in response.get("Content-Type", "")
            )
            if not refused:
                status = response.status_code
                failures.append(f"{method.upper()} {url} ({what}) as {persona}: {status}")
    after = row_counts(tables)
    grown = {t: (before[t], after[t]) for t in tables if before[t] != after[t]}
    assert not failures, "\n".join(failures)
    assert not grown, f"hostile requests changed rows {grown}"
    assert not _clinical_rows_changed_since(since)


def test_no_url_takes_a_hostile_body_or_query(world, request):  # noqa: F811
    """Every URL of the matrix, by GET and by POST, as a persona it lets through; the forms on
    the pages get the same with their own fields (test_no_form_on_the_page_...)."""
    users = {p: request.getfixturevalue(p) for p in SITE_A_PERSONAS}
    targets = []
    for name, row in sorted(MATRIX.items()):
        persona = next((p for p in SITE_A_PERSONAS if p in row.allowed), SITE_A_PERSONAS[0])
        for method in ("get", "post"):
            targets.append((persona, method, _url_of(name, world), {}))
    assert_refused_and_nothing_saved(Client(raise_request_exception=False), users, targets)
