"""Seed a demo trial: sites, users, and participants through every stage of the trial path.

Each step (`workflow.demo.<app>.seed(rng=..., today=..., participants=...)`) writes through
the same use cases as the pages and returns a one-line summary; they run in the order of the
trial path, each building on the data the previous ones made.
"""

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from access.demo import DEMO_PASSWORD, seed_sites_and_users
from accounts.demo import DEMO_TOTP_BASE32, seed_authenticators
from workflow.demo import arms, assessments, enrollment, followup, safety

DEMO_STEPS = (
    ("enrollment", enrollment.seed),
    ("assessments", assessments.seed),
    ("arms", arms.seed),
    ("followup", followup.seed),
    ("safety", safety.seed),
)


class Command(BaseCommand):
    help = "Create demo sites, users and participants (deterministic; safe to run twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=362)
        parser.add_argument("--seed", type=int, default=5285332)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        sites = seed_sites_and_users()
        seed_authenticators()
        self.stdout.write(f"Sites: {', '.join(s.code for s in sites)}")
        rng = random.Random(options["seed"])
        today = options["today"] or timezone.localdate()
        for name, seed in DEMO_STEPS:
            summary = seed(rng=rng, today=today, participants=options["participants"])
            self.stdout.write(f"{name}: {summary}")
        self.stdout.write(f"Demo users share the password {DEMO_PASSWORD!r} (see README).")
        self.stdout.write(
            f"Their second factor: an authenticator app with the key {DEMO_TOTP_BASE32}, or "
            "`python manage.py demo_totp <username>` for the current code."
        )
