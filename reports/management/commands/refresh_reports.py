import time

from django.core.management.base import BaseCommand

from reports import figures, survival


class Command(BaseCommand):
    help = (
        "Recompute the reports page's figures for every set of sites in use "
        "(what the beat task refresh_figures_task does on its schedule)."
    )

    def handle(self, *args: object, **options: object) -> None:
        start = time.perf_counter()
        survival.import_estimators()
        imported = time.perf_counter() - start
        start = time.perf_counter()
        count = figures.refresh_all()
        elapsed = time.perf_counter() - start
        self.stdout.write(
            f"Recomputed the figures of {count} set(s) of sites in {elapsed:.1f} s "
            f"(lifelines imported first, as a running worker has: {imported:.1f} s)."
        )
