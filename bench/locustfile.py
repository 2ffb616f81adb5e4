"""Load benchmark on locust: the main pages of each role, and the no-database floor view.

Started by bench/run_load.sh, headless, with a fixed number of users and spawn rate:

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8001 \\
        --users 21 --spawn-rate 21 --run-time 90s --csv var/bench/load-10k

Users, in the proportions of a site's staff (2 coordinators : 2 investigators : 1 data
manager, each logged in with its own session, `generate_trial`'s bench users), request their
role's pages in random order with a think time of 0 to 2 x BENCH_THINK seconds (mean 0.5 s);
one more user (`FloorUser`, always exactly one) requests the floor, `/bench/floor/`, a view
that touches no database, anonymously, five times a second: the floor is measured under the
same load as the pages. Each user requests every page of its role once before the measured
run (a fresh web process compiles templates and opens its database connection on its first
request); when the last of them is ready the statistics are emptied, so the logins and the
warm-ups are not in them (the run's length includes the warm-up: see BENCH_DURATION).

Environment: BENCH_SITES (CH,RJ), BENCH_PER_SITE (participants per site, for the casebook's
and the search's study IDs), BENCH_PASSWORD, BENCH_THINK. Only a loopback host is accepted.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import socket
import urllib.parse
from collections import defaultdict
from typing import Any, ClassVar

from gevent.lock import Semaphore
from locust import HttpUser, between, constant_pacing, events, task

from bench.totp import DEMO_TOTP_BASE32, totp_code  # locust puts the working directory first

SITES = [s.strip().upper() for s in os.environ.get("BENCH_SITES", "CH,RJ").split(",")]
PER_SITE = int(os.environ.get("BENCH_PER_SITE", "1000"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2026")
THINK = float(os.environ.get("BENCH_THINK", "0.5"))
FLOOR = "floor (no database)"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The TLS proxy's word: the production settings serve HTTPS only.
HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "cs-edc-bench"}
TWO_FACTOR_VERIFY = "/accounts/two-factor/verify/"
# One log-in per account, its cookies shared by the simulated users of that account, who wait
# for it in turn: a code is accepted once (django-otp refuses a replay, and the lockout counts
# it), so several users of one account cannot each give the same code in the same 30 seconds.
_SESSIONS: dict[str, dict[str, str]] = {}
_LOGIN_LOCKS: defaultdict[str, Semaphore] = defaultdict(Semaphore)


def _loopback_only(environment: Any, **kwargs: Any) -> None:
    host = urllib.parse.urlsplit(environment.host or "").hostname or ""
    for info in socket.getaddrinfo(host, None):
        if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback:
            raise SystemExit(f"refusing to load-test {host}: loopback only")


events.init.add_listener(_loopback_only)


def _page_path(page: str, site: str, rng: random.Random) -> str:
    study_id = f"{site}-{rng.randint(1, max(PER_SITE, 1)):04d}"
    return {
        "worklist": "/followup/",
        "participant list, search": f"/enrollment/participants/?q={study_id[:-1]}",
        "casebook": f"/enrollment/participants/{study_id}/",
        "screening log": "/enrollment/screenings/",
        "review queue": "/arms/",
        "reports": "/reports/",
    }[page]


_READY: list[int] = []


def _ready(environment: Any) -> None:
    """The measured run starts when every staff user has logged in and warmed up: a login
    hashes a password (PBKDF2, a second of CPU here), and twenty at once would be a benchmark
    of that. The last one to be ready empties the statistics (the floor's too)."""
    _READY.append(1)
    staff = (environment.runner.target_user_count or 1) - 1  # all but the floor
    if len(_READY) == staff:
        environment.runner.stats.reset_all()
        print(f"all {staff} users ready: statistics reset, the measured run starts")


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
        username = (
            "bench_data_manager"
            if self.role == "data_manager"
            else f"bench_{self.role}_{self.site.lower()}"
        )
        self._login(username)
        for page in self.pages:  # warm-up, not measured
            self._get(page, name=f"warm-up: {page}")
        _ready(self.environment)

    def _plain_http_cookies(self) -> None:
        """The production settings mark the session and CSRF cookies Secure (HTTPS only);
        behind the TLS proxy the browser sends them back, here the client must be told to
        over plain HTTP on loopback."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def _login(self, username: str) -> None:
        with _LOGIN_LOCKS[username]:
            if username in _SESSIONS:
                self.client.cookies.update(_SESSIONS[username])
                return
            self._log_in_with_password(username)
            _SESSIONS[username] = {c.name: c.value or "" for c in self.client.cookies}

    def _log_in_with_password(self, username: str) -> None:
        page = self.client.get("/accounts/login/", headers=HEADERS, name="login")
        self._plain_http_cookies()
        match = CSRF_INPUT.search(page.text)
        if match is None:
            raise SystemExit(f"login page: HTTP {page.status_code}")
        origin = (self.host or "").replace("http://", "https://")
        response = self.client.post(
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
        self._plain_http_cookies()
        # The log-in goes to the home page, which sends a role that needs the second factor
        # on to its form.
        landing = self.client.get(
            response.headers.get("Location", "/"),
            headers=HEADERS,
            name="login",
            allow_redirects=False,
        )
        self._plain_http_cookies()
        if TWO_FACTOR_VERIFY in landing.headers.get("Location", ""):
            self._second_factor(username, origin)

    def _second_factor(self, username: str, origin: str) -> None:
        """Investigators and data managers give a code of the demo key that generate_trial
        gives the bench users (accounts.demo)."""
        page = self.client.get(TWO_FACTOR_VERIFY, headers=HEADERS, name="login")
        self._plain_http_cookies()  # the CSRF cookie, rotated at the log-in, comes with it
        match = CSRF_INPUT.search(page.text)
        if match is None:
            raise SystemExit(f"second-factor page: HTTP {page.status_code}")
        response = self.client.post(
            TWO_FACTOR_VERIFY,
            data={"csrfmiddlewaretoken": match.group(1), "token": totp_code(DEMO_TOTP_BASE32)},
            headers={**HEADERS, "Referer": f"{origin}{TWO_FACTOR_VERIFY}"},
            name="login",
            allow_redirects=False,
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or TWO_FACTOR_VERIFY in location:
            raise SystemExit(f"second factor of {username} refused: HTTP {response.status_code}")
        self._plain_http_cookies()

    def _get(self, page: str, name: str | None = None) -> None:
        with self.client.get(
            _page_path(page, self.site, self.rng),
            headers=HEADERS,
            name=name or page,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                location = response.headers.get("Location", "").partition("?")[0]
                response.failure(f"HTTP {response.status_code} {location}".strip())
        # The session is renewed once a minute, its new cookie Secure again.
        self._plain_http_cookies()

    @task
    def page(self) -> None:
        self._get(self.rng.choice(self.pages))


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

    @task
    def floor(self) -> None:
        self.client.get("/bench/floor/", headers=HEADERS, name=FLOOR)
