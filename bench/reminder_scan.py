"""Benchmark the follow-up reminder scan (not part of the tests).

Creates N participants over two sites with `scaledata.generate_trial` (the synthetic trial the
load and export benchmarks use too: planned visits, recorded visit forms, missed ones), then
times the
daily scan: the first run (catching up on a month), a second run the same day (nothing left to
send: the cost of the scan itself) and the next day's run. Prints time, reminders and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_edc_bench \\
        .venv/bin/python bench/reminder_scan.py --participants 100000

The database's schema is dropped and migrated afresh: use a throwaway database.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")
os.environ.setdefault("EMAIL_URL", "memorymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from access.models import Membership, Site, User  # noqa: E402
from access.roles import Role  # noqa: E402
from enrollment.models import Participant  # noqa: E402
from followup import schedule  # noqa: E402
from followup.models import PlannedVisit, Reminder  # noqa: E402
from followup.services import REMINDER_EMAIL_KIND, send_due_reminders  # noqa: E402
from notifications.models import Notification, OutboxMessage  # noqa: E402
from scaledata.trial import generate_trial, touched_tables, vacuum_analyze  # noqa: E402


def build(n: int, today: dt.date, rng: random.Random) -> None:
    # A fresh schema: the database is a throwaway (as the export benchmark's).
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    sites = []
    for code in ("BNA", "BNB"):
        site, _ = Site.objects.get_or_create(code=code, defaults={"name": f"Bench {code}"})
        user, _ = User.objects.get_or_create(
            username=f"bench_{code.lower()}", defaults={"email": f"{code}@example.org"}
        )
        Membership.objects.get_or_create(user=user, site=site, role=Role.COORDINATOR)
        sites.append(site)
    start = time.perf_counter()
    # The one synthetic trial (scaledata): only states the workflow can produce.
    generate_trial(participants=n, sites=sites, today=today, seed=rng.randrange(2**31))
    vacuum_analyze(touched_tables())  # as `manage.py generate_trial` does
    print(
        f"built {n} participants, {PlannedVisit.objects.count()} planned visits "
        f"({PlannedVisit.objects.filter(status='open').count()} open) "
        f"in {time.perf_counter() - start:.1f}s"
    )


def timed_scan(label: str, today: dt.date) -> None:
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        counts = send_due_reminders(today=today)
        elapsed = time.perf_counter() - start
    sent = sum(counts[k] for k in schedule.REMINDER_KINDS)
    print(f"{label}: {elapsed:.2f}s, {len(ctx.captured_queries)} queries, {counts} ({sent} sent)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2027, 6, 1))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the visits of the last run; reset reminders"
    )
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.keep and PlannedVisit.objects.exists():
        # What an earlier scan wrote goes; the rest of the data stays (the load benchmark's
        # database can be measured and used again).
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Reminder._meta.db_table}")  # noqa: S608 - the model's
        Notification.objects.filter(kind__startswith="visit_").delete()
        OutboxMessage.objects.filter(kind=REMINDER_EMAIL_KIND).delete()
        kept = PlannedVisit.objects.count()
        print(f"kept {Participant.objects.count()} participants, {kept} planned visits")
    else:
        build(args.participants, args.today, random.Random(args.seed))  # noqa: S311 - test data
    timed_scan("first scan (catch-up of a month)", args.today)
    timed_scan("second scan, same day", args.today)
    timed_scan("next day", args.today + dt.timedelta(days=1))


if __name__ == "__main__":
    main()
