"""Queue the care-plan questionnaires that are due. Run it every few minutes (cron or a systemd timer, beside
send_due_reminders; see README): it e-mails each one once, CAREPLAN_QUESTIONNAIRE_HOURS_BEFORE the visit."""

from django.utils.translation import gettext_lazy

from clinic.careplans import outcomes
from clinic.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy("E-mail each care plan's questionnaire before the visit it is due at (idempotent).")

    def handle(self, *args, **options):
        count = outcomes.questionnaires_queue_due()
        self.stdout.write(f"{count} care-plan questionnaire(s) queued.")
