"""Where a page's time goes: each main page rendered in-process, its queries timed one by one.

The load benchmark says how slow a page is under 20 users; this says why. For each page it
renders the page REPEAT times through Django's test client (the whole middleware stack, no
network), and prints the median wall time, the number of queries, the time spent in them and
the slowest few with their SQL, so an index or a rewrite can be aimed at the right query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_edc_bench \\
        .venv/bin/python bench/profile_pages.py [--repeat 5] [--site CH] [--show 3]

It only reads (GET requests); run it on the benchmark's database built by bench/run_load.sh.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from access.models import User  # noqa: E402
from accounts.demo import DEMO_DEVICE  # noqa: E402
from enrollment.models import Participant  # noqa: E402


class QueryTimer:
    """An execute wrapper: every query's SQL and milliseconds."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - start) * 1000, sql))


def pages(site: str) -> list[tuple[str, str, str]]:
    low = site.lower()
    at_site = Participant.objects.filter(site__code=site).order_by("sequence")
    study_id = at_site.values_list("study_id", flat=True)[at_site.count() // 2]
    coordinator, investigator = f"bench_coordinator_{low}", f"bench_investigator_{low}"
    return [
        ("worklist", coordinator, "/followup/"),
        ("participant list", coordinator, "/enrollment/participants/"),
        ("participant list, search", coordinator, f"/enrollment/participants/?q={study_id[:-1]}"),
        ("casebook", coordinator, f"/enrollment/participants/{study_id}/"),
        ("screening log", coordinator, "/enrollment/screenings/"),
        ("review queue", investigator, "/arms/"),
        ("reports", investigator, "/reports/"),
        ("data queries", "bench_data_manager", "/data-quality/queries/"),
    ]


def pass_second_factor(client: Client, username: str) -> None:
    """The session passed the second factor with the user's demo authenticator, as a signed-in
    investigator's or data manager's has (generate_trial seeds it)."""
    device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site", default="CH")
    parser.add_argument("--show", type=int, default=3, help="slowest queries shown per page")
    parser.add_argument("--only", default="", help="profile only pages whose name has this")
    args = parser.parse_args()
    setup_test_environment()
    print(f"{'page':<26} {'median ms':>9} {'queries':>7} {'in SQL ms':>9}")
    for name, username, path in pages(args.site):
        if args.only and args.only not in name:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        pass_second_factor(client, username)
        walls, last = [], QueryTimer()
        for _ in range(args.repeat):
            timer = QueryTimer()
            start = time.perf_counter()
            with connection.execute_wrapper(timer):
                response = client.get(path)
            walls.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} for {path}")
            last = timer
        in_sql = sum(ms for ms, _ in last.queries)
        print(f"{name:<26} {statistics.median(walls):>9.0f} {len(last.queries):>7} {in_sql:>9.0f}")
        for ms, sql in sorted(last.queries, reverse=True)[: args.show]:
            print(f"    {ms:7.1f} ms  {sql[:300]}")


if __name__ == "__main__":
    main()
