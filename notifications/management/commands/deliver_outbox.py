from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from notifications.models import OutboxMessage
from notifications.services import outbox_deliver_due, outbox_retry


class Command(BaseCommand):
    help = (
        "Send the outbox's due e-mails (what the Celery beat does every minute), then say how "
        "many are still pending or failed; safe to run any number of times, also concurrently."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="First put the messages that failed for good back in line.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            self.stdout.write(f"put back: {outbox_retry()}")
        for outcome, count in outbox_deliver_due().items():
            self.stdout.write(f"{outcome}: {count}")
        left = dict(
            OutboxMessage.objects.filter(
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED]
            )
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        for status in (OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED):
            self.stdout.write(f"{status.value} now: {left.get(status.value, 0)}")
