"""Hostile values in the path of every URL of the project: a 404, never a 500.

Every URL pattern the resolver knows (the project's pages and Django's admin) is requested
with each of its path parameters replaced by a hostile value, and with the value appended as
one more path segment, by GET and by POST, as a site-A coordinator and as a superuser. A NUL
byte once answered 500 on the casebook, off-study, audit and sign pages: the database refuses
a NUL in a string, and the view asked it.
"""

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from access.models import Site
from enrollment.converters import STUDY_ID_PATTERN
from enrollment.models import Participant
from enrollment.services import study_id_for
from tests.factories.access import UserFactory

pytestmark = pytest.mark.django_db

# As a client sends them: percent-escapes are decoded by the server, not by the test.
HOSTILE_SEGMENTS = {
    "NUL": "%00",
    "NUL inside a study ID": "AA-%000001",
    "control character": "%01%1B",
    "not UTF-8": "%FF%FE",
    "a lone surrogate's UTF-8 form": "%ED%B3%80",
    "over-long UTF-8 of a slash": "%C0%AF",
    "over-long text": "A" * 4_000,
    "over-long number": "9" * 400,
    "largest bigint + 1": "9223372036854775808",
    "negative": "-1",
}
ADMIN_PREFIX = "/admin/"

_CONVERTER = re.compile(r"<(?:[^>:]+:)?[^>]+>")


def _regex_to_urls(regex: str, value: str) -> list[str]:
    """A regex pattern's literal text with each group in turn replaced by `value`, the
    others by 1 (the admin's patterns)."""
    groups = regex.count("(") - regex.count("(?:") - regex.count("\\(")
    return [_regex_to_route(regex, value, index) for index in range(max(groups, 1))]


def _regex_to_route(regex: str, value: str, hostile_group: int) -> str:
    out, depth, i, group = [], 0, 0, 0
    regex = regex.removesuffix("$")
    while i < len(regex):
        char = regex[i]
        if char == "\\" and depth == 0:
            out.append(regex[i + 1])
            i += 2
            continue
        if char == "(":
            if depth == 0:
                out.append(value if group == hostile_group else "1")
                group += 1
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
        i += 1
    return "".join(out)


def _routes(patterns, prefix: str = "") -> Iterator[str]:
    """Every pattern's whole route: `a/<int:pk>/`, or a prefix and a regex after a `^`."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern.pattern, RegexPattern):
            yield f"{prefix}^{str(pattern.pattern).removeprefix('^')}"
        else:
            yield prefix + str(pattern.pattern)


def hostile_urls(route: str, value: str) -> list[str]:
    """The route with each of its parameters in turn set to `value`, the others to 1; and
    with `value` as one more segment."""
    if "^" in route:
        literal_prefix, _, regex = route.partition("^")
        urls = [f"/{literal_prefix}{url}" for url in _regex_to_urls(regex, value)]
    else:
        slots = _CONVERTER.findall(route)
        urls = []
        for index in range(len(slots)):
            url = route
            for position, slot in enumerate(slots):
                url = url.replace(slot, value if position == index else "1", 1)
            urls.append(f"/{url}")
        base = route
        for slot in slots:
            base = base.replace(slot, "1", 1)
        urls.append(f"/{base}{value}/")
    return urls


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


def test_every_url_pattern_is_requested():
    """The admin's patterns and the trial's, found from the resolver rather than listed."""
    assert any(route.startswith("admin/") and "<path:object_id>" in route for route in ROUTES)
    assert any(route.startswith("enrollment/participants/<") for route in ROUTES)
    assert all(hostile_urls(route, "%00") for route in ROUTES)


# Refused at the door (trialsite.middleware), before a URL is resolved: the admin's too.
REFUSED_AT_THE_DOOR = {
    "NUL",
    "NUL inside a study ID",
    "control character",
    "not UTF-8",
    "a lone surrogate's UTF-8 form",
    "over-long UTF-8 of a slash",
}
# Otherwise a value that names nothing is a 404 (the study ID's converter refuses what is no
# study ID; an out-of-range number finds no row); a role or method check that comes before the
# lookup may answer first. The admin answers an ID it cannot find with a redirect to its index.
NOT_FOUND = {404}
REFUSED_FIRST = {403, 405}
ADMIN_NOT_FOUND = {302}


def expected(url: str, label: str) -> set[int]:
    if label in REFUSED_AT_THE_DOOR:
        return NOT_FOUND
    if url.startswith(ADMIN_PREFIX):
        return NOT_FOUND | REFUSED_FIRST | ADMIN_NOT_FOUND
    return NOT_FOUND | REFUSED_FIRST


@pytest.fixture
def clients(site_a, coordinator_a) -> dict[str, Client]:
    """A coordinator for the trial's pages (any logged-in user once reached the 500), a
    superuser for the admin's."""
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    out = {}
    for name, user in (("trial", coordinator_a), ("admin", superuser)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        out[name] = client
    return out


@pytest.mark.parametrize("route", ROUTES)
def test_a_hostile_path_value_is_not_found(route, clients):
    client = clients["admin" if route.startswith(ADMIN_PREFIX.strip("/")) else "trial"]
    failures = []
    for label, value in HOSTILE_SEGMENTS.items():
        for url in hostile_urls(route, value):
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status not in expected(url, label):
                    failures.append(f"{method.upper()} {url[:100]} ({label}): {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("code", "sequence"), [("CH", 1), ("RJ", 362), ("ABCDEFGH", 9_999_999)])
def test_every_study_id_the_trial_allocates_is_one_the_converter_matches(code, sequence):
    study_id = study_id_for(Site(code=code), sequence)
    assert re.fullmatch(STUDY_ID_PATTERN, study_id)
    assert len(study_id) <= Participant._meta.get_field("study_id").max_length
