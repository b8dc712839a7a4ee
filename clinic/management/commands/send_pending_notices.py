"""Hand every notice the outbox has not seen sent back to the worker. The worker (`task_worker`) does this
every minute itself; run this from cron or a systemd timer too (see README), e.g. where `db_worker` runs."""

from django.utils.translation import gettext_lazy

from clinic import outbox
from clinic.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Queue again every notice claimed or queued for CLINIC_NOTICE_RETRY_MINUTES without being sent."
    )

    def handle(self, *args, **options):
        count = outbox.notices_requeue_stale()
        self.stdout.write(f"{count} unsent notice(s) queued again.")
