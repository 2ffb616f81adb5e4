"""Load benchmark on locust: the main pages of each role, and the no-database floor view, at
several trial sizes in one run, their phases interleaved.

Started by bench/run_load.sh, headless, with a fixed number of users and spawn rate, against one
server per size (BENCH_TARGETS: `size=url` pairs; `--host` is the first):

    BENCH_TARGETS="10000=http://127.0.0.1:8001 100000=http://127.0.0.1:8002" \
    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8001 \
        --users 21 --spawn-rate 21 --run-time 200s --csv var/bench/load

Users, in the proportions of a site's staff (2 coordinators : 2 investigators : 1 data
manager, each logged in with its own session, `generate_trial`'s bench users), request their
role's pages in random order with a think time of 0 to 2 x BENCH_THINK seconds (mean 0.5 s);
one more user (`FloorUser`, always exactly one) requests the floor, `/bench/floor/`, a view
that touches no database, anonymously, five times a second: the floor is measured under the
same load as the pages. Each user logs in to every server and requests every page of its role
there once before the measured run (a fresh web process compiles templates and opens its
database connection on its first request); when the last of them is ready the statistics are
emptied, so the logins and the warm-ups are not in them (the run's length includes the
warm-up: see BENCH_DURATION).

The measured run is cut into phases of BENCH_PHASE_SECONDS (15 s); every user requests the
server of the first size in the first phase, of the next size in the next, and so round: the
sizes are measured in turn, minutes apart at most, each through the whole run, so that a
busier minute of the machine (another tenant, the kernel writing a fresh database out) weighs
on every size alike instead of on whichever ran then. Each request is named `<page> @<size>`
(`casebook @100k`); bench/compare.py reads the one statistics file.

Environment: BENCH_TARGETS, BENCH_PHASE_SECONDS, BENCH_SITES (CH,RJ), BENCH_PASSWORD,
BENCH_THINK. Only loopback hosts are accepted.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import socket
import time
import urllib.parse
from collections import defaultdict
from typing import Any, ClassVar

from gevent.lock import Semaphore
from locust import HttpUser, between, constant_pacing, events, task
from locust.clients import HttpSession

from bench.totp import DEMO_TOTP_BASE32, totp_code  # locust puts the working directory first

SITES = [s.strip().upper() for s in os.environ.get("BENCH_SITES", "CH,RJ").split(",")]
# The servers, by trial size (participants), smallest first.
TARGETS: list[tuple[int, str]] = sorted(
    (int(size), url)
    for size, _, url in (
        pair.partition("=") for pair in os.environ.get("BENCH_TARGETS", "").split()
    )
)
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "15"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2026")
THINK = float(os.environ.get("BENCH_THINK", "0.5"))
FLOOR = "floor (no database)"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The TLS proxy's word: the production settings serve HTTPS only.
HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "cs-edc-bench"}
TWO_FACTOR_VERIFY = "/accounts/two-factor/verify/"
# One log-in per account and server, its cookies shared by the simulated users of that
# account, who wait for it in turn: a code is accepted once (django-otp refuses a replay, and
# the lockout counts it), so several users of one account cannot each give the same code in
# the same 30 seconds.
_SESSIONS: dict[tuple[str, str], dict[str, str]] = {}
_LOGIN_LOCKS: defaultdict[tuple[str, str], Semaphore] = defaultdict(Semaphore)


def _loopback_only(environment: Any, **kwargs: Any) -> None:
    if not TARGETS:
        raise SystemExit("BENCH_TARGETS names no server (size=url pairs)")
    for url in (environment.host or "", *(url for _, url in TARGETS)):
        host = urllib.parse.urlsplit(url).hostname or ""
        for info in socket.getaddrinfo(host, None):
            if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback:
                raise SystemExit(f"refusing to load-test {host}: loopback only")


events.init.add_listener(_loopback_only)


def label(page: str, size: int) -> str:
    """A request's name in the statistics: the page and the size of its server."""
    return f"{page} @{size // 1000}k"


def _page_path(page: str, site: str, per_site: int, rng: random.Random) -> str:
    study_id = f"{site}-{rng.randint(1, max(per_site, 1)):04d}"
    return {
        "worklist": "/followup/",
        "participant list, search": f"/enrollment/participants/?q={study_id[:-1]}",
        "casebook": f"/enrollment/participants/{study_id}/",
        "screening log": "/enrollment/screenings/",
        "review queue": "/arms/",
        "reports": "/reports/",
    }[page]


_READY: list[int] = []
_MEASURED_SINCE: list[float] = []  # when the statistics were emptied


def measured_size() -> int:
    """The size whose server every user requests now: the first before the measured run, then
    each in turn for a phase."""
    if not _MEASURED_SINCE:
        return TARGETS[0][0]
    phase = int((time.monotonic() - _MEASURED_SINCE[0]) // PHASE_SECONDS)
    return TARGETS[phase % len(TARGETS)][0]


def _sessions(user: HttpUser) -> dict[int, HttpSession]:
    """A client per server, each with its own cookies and its own URL."""
    sessions = {}
    for size, url in TARGETS:
        session = HttpSession(
            base_url=url, request_event=user.environment.events.request, user=user
        )
        session.trust_env = False
        sessions[size] = session
    return sessions


def _ready(environment: Any) -> None:
    """The measured run starts when every staff user has logged in and warmed up: a login
    hashes a password (PBKDF2, a second of CPU here), and twenty at once would be a benchmark
    of that. The last one to be ready empties the statistics (the floor's too)."""
    _READY.append(1)
    staff = (environment.runner.target_user_count or 1) - 1  # all but the floor
    if len(_READY) == staff:
        environment.runner.stats.reset_all()
        _MEASURED_SINCE.append(time.monotonic())
        print(
            f"all {staff} users ready: statistics reset, the measured run starts, "
            f"{PHASE_SECONDS:g} s per size in turn"
        )


class StaffUser(HttpUser):
    abstract = True
    wait_time = between(0, 2 * THINK)
    pages: ClassVar[tuple[str, ...]] = ()
    role = ""
    _count: ClassVar[int] = 0

    def on_start(self) -> None:
        StaffUser._count += 1
        self.site = SITES[StaffUser._count % len(SITES)]
        self.rng = random.Random(StaffUser._count)  # noqa: S311 - which page, not secrets
        self.sessions = _sessions(self)
        username = (
            "bench_data_manager"
            if self.role == "data_manager"
            else f"bench_{self.role}_{self.site.lower()}"
        )
        for size, session in self.sessions.items():
            self._login(session, username)
            for page in self.pages:  # warm-up, not measured
                self._get(session, size, page, name=f"warm-up: {page}")
        _ready(self.environment)

    @staticmethod
    def _plain_http_cookies(session: HttpSession) -> None:
        """The production settings mark the session and CSRF cookies Secure (HTTPS only);
        behind the TLS proxy the browser sends them back, here the client must be told to
        over plain HTTP on loopback."""
        for cookie in session.cookies:
            cookie.secure = False

    def _login(self, session: HttpSession, username: str) -> None:
        key = (session.base_url, username)
        with _LOGIN_LOCKS[key]:
            if key in _SESSIONS:
                session.cookies.update(_SESSIONS[key])
                return
            self._log_in_with_password(session, username)
            _SESSIONS[key] = {c.name: c.value or "" for c in session.cookies}

    def _log_in_with_password(self, session: HttpSession, username: str) -> None:
        page = session.get("/accounts/login/", headers=HEADERS, name="login")
        self._plain_http_cookies(session)
        match = CSRF_INPUT.search(page.text)
        if match is None:
            raise SystemExit(f"login page: HTTP {page.status_code}")
        origin = session.base_url.replace("http://", "https://")
        response = session.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": PASSWORD,
            },
            headers={**HEADERS, "Referer": f"{origin}/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")
        self._plain_http_cookies(session)
        # The log-in goes to the home page, which sends a role that needs the second factor
        # on to its form.
        landing = session.get(
            response.headers.get("Location", "/"),
            headers=HEADERS,
            name="login",
            allow_redirects=False,
        )
        self._plain_http_cookies(session)
        if TWO_FACTOR_VERIFY in landing.headers.get("Location", ""):
            self._second_factor(session, username, origin)

    def _second_factor(self, session: HttpSession, username: str, origin: str) -> None:
        """Investigators and data managers give a code of the demo key that generate_trial
        gives the bench users (accounts.demo)."""
        page = session.get(TWO_FACTOR_VERIFY, headers=HEADERS, name="login")
        self._plain_http_cookies(session)  # the CSRF cookie, rotated at the log-in, comes too
        match = CSRF_INPUT.search(page.text)
        if match is None:
            raise SystemExit(f"second-factor page: HTTP {page.status_code}")
        response = session.post(
            TWO_FACTOR_VERIFY,
            data={"csrfmiddlewaretoken": match.group(1), "token": totp_code(DEMO_TOTP_BASE32)},
            headers={**HEADERS, "Referer": f"{origin}{TWO_FACTOR_VERIFY}"},
            name="login",
            allow_redirects=False,
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or TWO_FACTOR_VERIFY in location:
            raise SystemExit(f"second factor of {username} refused: HTTP {response.status_code}")
        self._plain_http_cookies(session)

    def _get(self, session: HttpSession, size: int, page: str, name: str | None = None) -> None:
        path = _page_path(page, self.site, size // len(SITES), self.rng)
        with session.get(
            path,
            headers=HEADERS,
            name=name or label(page, size),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                location = response.headers.get("Location", "").partition("?")[0]
                response.failure(f"HTTP {response.status_code} {location}".strip())
        # The session is renewed once a minute, its new cookie Secure again.
        self._plain_http_cookies(session)

    @task
    def page(self) -> None:
        size = measured_size()
        self._get(self.sessions[size], size, self.rng.choice(self.pages))


class CoordinatorUser(StaffUser):
    weight = 2
    role = "coordinator"
    pages = ("worklist", "participant list, search", "casebook", "screening log")


class InvestigatorUser(StaffUser):
    weight = 2
    role = "investigator"
    pages = ("review queue", "casebook", "reports", "participant list, search")


class DataManagerUser(StaffUser):
    weight = 1
    role = "data_manager"
    pages = ("participant list, search", "reports", "casebook")


class FloorUser(HttpUser):
    fixed_count = 1
    wait_time = constant_pacing(0.2)

    def on_start(self) -> None:
        self.sessions = _sessions(self)

    @task
    def floor(self) -> None:
        size = measured_size()
        self.sessions[size].get("/bench/floor/", headers=HEADERS, name=label(FLOOR, size))
