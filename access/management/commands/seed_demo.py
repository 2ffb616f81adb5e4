"""Seed a demo trial: sites, users and, as the apps grow, participants through every stage."""

from django.core.management.base import BaseCommand

from access.demo import DEMO_PASSWORD, seed_sites_and_users


class Command(BaseCommand):
    help = "Create demo sites, users and participants (deterministic; safe to run twice)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--participants", type=int, default=362)
        parser.add_argument("--seed", type=int, default=5285332)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sites = seed_sites_and_users()
        self.stdout.write(f"Sites: {', '.join(s.code for s in sites)}")
        self.stdout.write(f"Demo users share the password {DEMO_PASSWORD!r} (see README).")
