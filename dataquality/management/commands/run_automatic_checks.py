from typing import Any

from django.core.management.base import BaseCommand

from dataquality.services import run_automatic_checks


class Command(BaseCommand):
    help = (
        "Run the automatic data checks; each opens its query once per form, so the command "
        "is safe to run any number of times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for check, opened in run_automatic_checks().items():
            self.stdout.write(f"{check}: {opened} opened")
