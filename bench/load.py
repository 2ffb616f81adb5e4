"""Load benchmark client: N concurrent simulated users on the main pages, p50/p95 per page.

A small closed-loop client (threads and http.client, no dependency): each simulated user logs
in with its own session, then requests the pages of its role in a random order, with a think
time between requests, until the duration or its request budget runs out. Beside them, one
more thread requests the no-database floor view (`bench/floor/`, anonymous) five times a
second, so the floor is measured in the same run, under the same load, as the pages.

    .venv/bin/python bench/load.py --port 8001 --per-site 50000 --users 20 --duration 60

Only a loopback address is accepted as the target (this is a load test of a local server).
Prints a table and writes it as JSON to var/bench/. Started by bench/run_load.sh.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import http.client
import ipaddress
import json
import random
import re
import socket
import statistics
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLOOR = "floor (no database)"
FLOOR_PATH = "/bench/floor/"
FLOOR_INTERVAL_S = 0.2
# A page's p95 may be at most this many times the floor's (the aim).
AIM_RATIO = 5.0

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _refuse_non_loopback(host: str) -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    for address in addresses:
        if not ipaddress.ip_address(str(address).split("%")[0]).is_loopback:
            raise SystemExit(f"refusing to load-test {host} ({address}): loopback only")


class Session:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self.conn

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        all_headers = {
            # The TLS proxy's word: the production settings serve HTTPS only.
            "X-Forwarded-Proto": "https",
            "User-Agent": "cs-edc-bench",
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content, response.headers.get("Location", "")

    def login(self, username: str, password: str) -> None:
        status, content, _ = self.request("GET", "/accounts/login/")
        match = CSRF_INPUT.search(content)
        if status != 200 or not match:
            raise SystemExit(f"login page: HTTP {status}")
        origin = f"https://{self.host}:{self.port}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
            }
        )
        status, _, location = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{origin}/accounts/login/",
            },
        )
        if status != 302 or "/accounts/login/" in location:
            raise SystemExit(f"login as {username} failed: HTTP {status}")
        status, content, location = self.request("GET", location or "/")
        if status == 302 and TWO_FACTOR_VERIFY in location:
            self._second_factor(username, origin)

    def _second_factor(self, username: str, origin: str) -> None:
        """Investigators and data managers give a code: the published demo key's, which
        generate_trial gives the bench users (accounts.demo)."""
        status, content, _ = self.request("GET", TWO_FACTOR_VERIFY)
        match = CSRF_INPUT.search(content)
        if status != 200 or not match:
            raise SystemExit(f"second-factor page: HTTP {status}")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1).decode(), "token": totp_code(DEMO_TOTP_BASE32)}
        )
        status, _, location = self.request(
            "POST",
            TWO_FACTOR_VERIFY,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{origin}{TWO_FACTOR_VERIFY}",
            },
        )
        if status != 302 or TWO_FACTOR_VERIFY in location:
            raise SystemExit(f"second factor of {username} refused: HTTP {status}")


# accounts.demo.DEMO_TOTP_BASE32 (this script imports nothing of the project's).
DEMO_TOTP_BASE32 = "CSEDCDEMOCSEDCDEMOCSEDCDEMOCSEDC"
TWO_FACTOR_VERIFY = "/accounts/two-factor/verify/"


def totp_code(base32_key: str, now: float | None = None) -> str:
    """RFC 6238 with the apps' defaults (SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if now is None else now) // 30)
    digest = hmac.new(base64.b32decode(base32_key), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class SharedLogins:
    """One log-in per account, its cookies shared by the simulated users of that account: a
    code is accepted once (django-otp refuses a replay), so twenty users of one account cannot
    each give the same code in the same 30 seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cookies: dict[str, dict[str, str]] = {}

    def log_in(self, session: Session, username: str, password: str) -> None:
        with self.lock:
            if username not in self.cookies:
                session.login(username, password)
                self.cookies[username] = dict(session.cookies)
            session.cookies = dict(self.cookies[username])


LOGINS = SharedLogins()


@dataclass
class Persona:
    username: str
    site: str  # the site whose participants the casebook visits pick from
    pages: tuple[str, ...]


class Clock:
    """The measured run starts when every user has logged in and requested each of their
    pages once: a login hashes a password (PBKDF2, about a second of CPU here), and twenty at
    once would be a benchmark of that; a web process's first request of a page compiles its
    templates."""

    def __init__(self, parties: int, duration: float) -> None:
        self.duration = duration
        self.stop_at = 0.0
        self.started = 0.0
        self.ready = threading.Barrier(parties, action=self._start)

    def _start(self) -> None:
        self.started = time.perf_counter()
        self.stop_at = time.monotonic() + self.duration


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float, problem: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(page, []).append(ms)
            if problem:
                bucket = self.errors.setdefault(page, {})
                bucket[problem] = bucket.get(problem, 0) + 1


def page_path(page: str, persona: Persona, rng: random.Random, per_site: int) -> str:
    seq = rng.randint(1, max(per_site, 1))
    study_id = f"{persona.site}-{seq:04d}"
    return {
        "worklist": "/followup/",
        "participant list, search": f"/enrollment/participants/?q={study_id[:-1]}",
        "casebook": f"/enrollment/participants/{study_id}/",
        "screening log": "/enrollment/screenings/",
        "review queue": "/arms/",
        "reports": "/reports/",
        "notifications": "/notifications/",
    }[page]


def simulated_user(
    persona: Persona,
    password: str,
    args: argparse.Namespace,
    results: Results,
    clock: Clock,
    seed: int,
) -> None:
    rng = random.Random(seed)  # noqa: S311 - think times, not secrets
    session = Session(args.host, args.port)
    pages = [p for p in persona.pages if p not in args.skip] or list(persona.pages)
    try:
        LOGINS.log_in(session, persona.username, password)
        # Warm-up, not measured: each page once, so that the first request of a fresh web
        # process (templates compiled, database connection opened) is not in the figures.
        for page in pages:
            session.request("GET", page_path(page, persona, rng, args.per_site))
    finally:
        clock.ready.wait()
    stop_at = clock.stop_at
    for _ in range(args.max_requests):
        if time.monotonic() >= stop_at:
            break
        page = rng.choice(pages)
        timed_get(session, page, page_path(page, persona, rng, args.per_site), results)
        if args.think > 0:
            time.sleep(rng.uniform(0, 2 * args.think))


def timed_get(session: Session, page: str, path: str, results: Results) -> None:
    start = time.perf_counter()
    try:
        status, _, location = session.request("GET", path)
        problem = None if status == 200 else f"HTTP {status} {location}".strip()
    except OSError as exc:
        problem = type(exc).__name__
    results.add(page, (time.perf_counter() - start) * 1000, problem)


def floor_prober(args: argparse.Namespace, results: Results, clock: Clock) -> None:
    anonymous = Session(args.host, args.port)
    clock.ready.wait()
    stop_at = clock.stop_at
    for _ in range(int(args.duration / FLOOR_INTERVAL_S) + 1):
        if time.monotonic() >= stop_at:
            break
        timed_get(anonymous, FLOOR, FLOOR_PATH, results)
        time.sleep(FLOOR_INTERVAL_S)


def personas(sites: list[str], users: int) -> list[Persona]:
    """Coordinators, investigators and the data manager in the proportions of a site's staff."""
    coordinator = ("worklist", "participant list, search", "casebook", "screening log")
    investigator = ("review queue", "casebook", "reports", "participant list, search")
    data_manager = ("participant list, search", "reports", "casebook")
    out = []
    for i in range(users):
        site = sites[i % len(sites)]
        kind = i % 5
        if kind in (0, 1):
            out.append(Persona(f"bench_coordinator_{site.lower()}", site, coordinator))
        elif kind in (2, 3):
            out.append(Persona(f"bench_investigator_{site.lower()}", site, investigator))
        else:
            out.append(Persona("bench_data_manager", site, data_manager))
    return out


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(results: Results, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    floor = results.latencies.get(FLOOR, [])
    floor_p95 = percentile(floor, 95)
    rows: list[dict[str, Any]] = []
    for page in sorted(results.latencies, key=lambda p: (p == FLOOR, p)):
        values = results.latencies[page]
        p95 = percentile(values, 95)
        rows.append(
            {
                "page": page,
                "requests": len(values),
                "errors": sum(results.errors.get(page, {}).values()),
                "p50_ms": round(percentile(values, 50), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(values), 1),
                "p95_over_floor_p95": round(p95 / floor_p95, 2) if floor else None,
            }
        )
    total = sum(len(v) for v in results.latencies.values())
    summary = {
        "users": args.users,
        "per_site": args.per_site,
        "sites": args.sites,
        "think_s": args.think,
        "skipped_pages": sorted(args.skip),
        "seconds": round(seconds, 1),
        "requests": total,
        "throughput_rps": round(total / seconds, 1),
        "aim": f"p95 <= {AIM_RATIO:g} x floor p95",
        "rows": rows,
        "errors": results.errors,
    }
    line = f"{'page':<26}{'n':>7}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95/floor':>11}"
    print(line)
    print("-" * len(line))
    for r in rows:
        ratio = r["p95_over_floor_p95"]
        mark = "" if r["page"] == FLOOR or ratio is None or ratio <= AIM_RATIO else "  > aim"
        print(
            f"{r['page']:<26}{r['requests']:>7}{r['errors']:>5}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r['max_ms']:>9.1f}{ratio if ratio is not None else '':>11}{mark}"
        )
    print(
        f"{total} requests in {seconds:.1f} s ({total / seconds:.1f}/s), {args.users} users, "
        f"think time {args.think:g} s mean"
    )
    for page, problems in results.errors.items():
        print(f"errors on {page}: {problems}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=2_000, help="per user")
    parser.add_argument("--think", type=float, default=0.5, help="mean think time, seconds")
    parser.add_argument("--sites", default="CH,RJ")
    parser.add_argument("--per-site", type=int, required=True, help="participants per site")
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument(
        "--skip", default="", help="comma-separated pages to leave out, e.g. 'reports'"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    _refuse_non_loopback(args.host)
    sites = [s.strip().upper() for s in args.sites.split(",")]
    args.skip = {p.strip() for p in args.skip.split(",") if p.strip()}
    results = Results()
    clock = Clock(args.users + 1, args.duration)
    threads = [
        threading.Thread(
            target=simulated_user,
            args=(persona, args.password, args, results, clock, i),
            daemon=True,
        )
        for i, persona in enumerate(personas(sites, args.users))
    ]
    threads.append(threading.Thread(target=floor_prober, args=(args, results, clock), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        # Bounded: a request times out after 120 s, and no new one starts after the duration.
        t.join(timeout=args.duration + 300)
    summary = report(results, time.perf_counter() - clock.started, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2))
        print(f"written to {args.json}")
    return 0 if not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
