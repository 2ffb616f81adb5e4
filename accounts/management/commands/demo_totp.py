"""Print the current second-factor code of a demo (or benchmark) user: `make run` without a
phone. Works only for accounts seeded with the published demo key (accounts.demo)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_DEVICE, DEMO_TOTP_BASE32, current_code


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo user (seeded with the demo key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if not TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE).exists():
            raise CommandError(f"{username} has no demo authenticator (seed_demo seeds them).")
        left = 30 - int(time.time()) % 30
        self.stdout.write(current_code())
        self.stderr.write(f"valid for {left} more seconds; key {DEMO_TOTP_BASE32} (demo only)")
