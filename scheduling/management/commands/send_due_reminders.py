"""Queue the reminder e-mails that are due. Run it every few minutes (cron or a systemd timer, see README)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.management.base import TranslatedHelpCommand
from scheduling import services


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Queue a reminder for every booked appointment inside the reminder window that has not had one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help=_("Send the e-mails from this process instead of queueing tasks.")
        )

    def handle(self, *args, inline=False, **options):
        count = services.reminders_enqueue_due(inline=inline)
        self.stdout.write(f"{count} due reminder(s) {'processed' if inline else 'queued'}.")
