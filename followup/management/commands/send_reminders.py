import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from followup.services import send_due_reminders, send_due_reminders_in_site_time


class Command(BaseCommand):
    help = (
        "Send the follow-up visit reminders due today (each site's own date) or on --date; "
        "safe to run any number of times."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="The day to scan for, YYYY-MM-DD (default: today at each site).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is None:
            counts = send_due_reminders_in_site_time(now=timezone.now())
        else:
            counts = send_due_reminders(today=options["date"])
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
