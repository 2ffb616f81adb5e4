"""An e-mail backend for a worker in another process: it records every message it delivers
in a file (locmem cannot be read across processes), and can hang in the middle of a send so
that the test can kill the worker there."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    """Appends "<Message-ID> <to> <subject>" per delivered message to $FAULT_MAIL_RECORD.

    When $FAULT_MAIL_HANG names a file holding a subject, the first send of that subject
    removes the file (so only one process ever hangs), writes its pid next to it and sleeps:
    the message is being sent, not yet delivered, when the test kills the process.
    """

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        record = Path(os.environ["FAULT_MAIL_RECORD"])
        hang = os.environ.get("FAULT_MAIL_HANG")
        for message in email_messages:
            if hang and Path(hang).exists() and Path(hang).read_text() == message.subject:
                try:
                    os.remove(hang)
                except FileNotFoundError:  # another process took it
                    pass
                else:
                    Path(f"{hang}.pid").write_text(str(os.getpid()))
                    time.sleep(60)  # killed here
            with record.open("a") as out:
                out.write(
                    f"{message.extra_headers['Message-ID']} {message.to[0]} {message.subject}\n"
                )
        return len(email_messages)
