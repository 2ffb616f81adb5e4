"""Recompute what the rules store for the export (`exports.derived`).

    python manage.py recompute_derived            # every verdict and outcome
    python manage.py recompute_derived --stale    # only those missing or of another rules version

Run it after a change of the rules (a new RULES_VERSION in `enrollment.eligibility`,
`followup.endpoints` or `assessments.biomarkers`) and after a bulk import that bypassed the
use cases. Each batch is its own transaction; it can be stopped and run again.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exports import derived


class Command(BaseCommand):
    help = "Recompute the stored eligibility verdicts and participant outcomes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale",
            action="store_true",
            help="only rows that are missing or were computed by another rules version",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        counts = derived.recompute(stale_only=options["stale"])
        self.stdout.write(
            f"Recomputed {counts['screenings']:,} eligibility verdicts "
            f"({derived.ELIGIBILITY_RULES_VERSION}) and {counts['participants']:,} participant "
            f"outcomes ({derived.OUTCOME_RULES_VERSION}) in {time.perf_counter() - start:.1f} s."
        )
