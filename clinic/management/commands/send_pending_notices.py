"""Hand every notice the outbox has not seen sent back to the worker. The worker (`task_worker`) does this
every minute itself; run this from cron or a systemd timer too (see README), e.g. where `db_worker` runs."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from clinic import outbox


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when shown, not when the module loads
        return _("Queue again every notice claimed or queued for CLINIC_NOTICE_RETRY_MINUTES without being sent.")

    def handle(self, *args, **options):
        count = outbox.notices_requeue_stale()
        self.stdout.write(f"{count} unsent notice(s) queued again.")
