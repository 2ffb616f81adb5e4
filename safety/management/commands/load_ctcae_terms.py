from typing import Any

from django.core.management.base import BaseCommand

from safety.models import CtcaeTerm
from safety.terms import load_terms


class Command(BaseCommand):
    help = "Load (or update) the CTCAE v5.0 term list from safety/data/ctcae_v5.csv."

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_terms(CtcaeTerm)
        self.stdout.write(f"CTCAE terms: {created} created, {updated} updated.")
