"""An e-mail backend for a worker run in a separate process: one line per message accepted, in MAIL_LOG.

With MAIL_HANG_AFTER=n, the message after the n-th hangs (once): the backend writes MAIL_LOG + ".hanging"
and sleeps, so a test can SIGKILL the worker while a notice is claimed and not yet sent.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        log = Path(os.environ["MAIL_LOG"])
        marker = Path(str(log) + ".hanging")
        hang_after = os.environ.get("MAIL_HANG_AFTER")
        for message in email_messages:
            sent = len(log.read_text().splitlines()) if log.exists() else 0
            if hang_after is not None and sent == int(hang_after) and not marker.exists():
                marker.write_text(message.subject)
                time.sleep(600)  # until the test kills this process
            with log.open("a") as out:
                out.write(f"{message.to[0]} | {message.subject}\n")
        return len(email_messages)
