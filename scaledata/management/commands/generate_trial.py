"""Generate a synthetic trial of N participants for load tests (see scaledata.trial).

    python manage.py generate_trial --participants 100000

Creates the sites (default CH and RJ) and one bench user per role: `bench_coordinator_<site>`,
`bench_investigator_<site>` (who signs most arms), `bench_data_manager` and `bench_admin` at
every site, all with the password of --password (or BENCH_PASSWORD) and, where their role asks
for a second factor, an authenticator with the demo key (accounts.demo). Adds to what is there:
use a throwaway database.
"""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from access.models import Membership, Site, User
from access.roles import Role
from accounts.demo import seed_authenticators
from exports import derived
from scaledata.trial import generate_trial, touched_tables, vacuum_analyze

DEFAULT_PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic users of a throwaway database


def bench_user(username: str, password: str, role: Role, sites: list[Site]) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": str(role.label)}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    for site in sites:
        Membership.objects.get_or_create(user=user, site=site, role=role)
    # Investigators, data managers and admins sign in with a second factor: the published demo
    # key (accounts.demo), whose codes bench/load.py computes.
    seed_authenticators([user])
    return user


class Command(BaseCommand):
    help = "Generate N synthetic participants with every record, by bulk inserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=100_000)
        parser.add_argument("--sites", default="CH,RJ", help="comma-separated site codes")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", ""))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["participants"] < 0:
            raise CommandError("--participants must be at least 0.")
        password = options["password"] or DEFAULT_PASSWORD
        sites = []
        for code in options["sites"].split(","):
            site, _ = Site.objects.get_or_create(
                code=code.strip().upper(), defaults={"name": f"Bench hospital {code.strip()}"}
            )
            sites.append(site)
        signers, coordinators = {}, {}
        for site in sites:
            low = site.code.lower()
            coordinators[site.pk] = bench_user(
                f"bench_coordinator_{low}", password, Role.COORDINATOR, [site]
            )
            signers[site.pk] = bench_user(
                f"bench_investigator_{low}", password, Role.INVESTIGATOR, [site]
            )
        bench_user("bench_data_manager", password, Role.DATA_MANAGER, sites)
        bench_user("bench_admin", password, Role.ADMIN, sites)
        counts = generate_trial(
            participants=options["participants"],
            sites=sites,
            signers=signers,
            notify=coordinators,
            seed=options["seed"],
            progress=lambda line: self.stdout.write(line),
        )
        # The rows were written around the use cases: the verdicts and outcomes they would
        # have stored are computed now, by the same refresh functions.
        derived.recompute()
        if vacuum_analyze(touched_tables()):
            self.stdout.write("  VACUUM (ANALYZE) of the loaded tables: done")
        for label, n in sorted(counts.rows.items()):
            self.stdout.write(f"  {label}: {n:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {counts.participants:,} participants "
                f"({sum(counts.rows.values()):,} rows) in {counts.seconds:.1f} s."
            )
        )
