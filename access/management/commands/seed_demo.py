"""Seed a demo trial: sites, users, and participants through every stage the apps support.

Each app that has demo data offers `<app>.demo.seed(rng=..., today=..., participants=...)`,
returning a one-line summary; they run in the order of the trial path.
"""

import datetime as dt
import random
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from access.demo import DEMO_PASSWORD, seed_sites_and_users

# The trial path: each step builds on the data the previous ones made.
DEMO_STEPS = ("enrollment.demo", "assessments.demo", "arms.demo", "followup.demo")


class Command(BaseCommand):
    help = "Create demo sites, users and participants (deterministic; safe to run twice)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--participants", type=int, default=362)
        parser.add_argument("--seed", type=int, default=5285332)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sites = seed_sites_and_users()
        self.stdout.write(f"Sites: {', '.join(s.code for s in sites)}")
        rng = random.Random(options["seed"])
        today = options["today"] or timezone.localdate()
        for module_name in DEMO_STEPS:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            summary = module.seed(rng=rng, today=today, participants=options["participants"])
            self.stdout.write(f"{module_name.split('.')[0]}: {summary}")
        self.stdout.write(f"Demo users share the password {DEMO_PASSWORD!r} (see README).")
