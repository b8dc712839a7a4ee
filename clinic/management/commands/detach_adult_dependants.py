"""End the family link of every child who has reached CLINIC_AGE_OF_CONSENT (clinic.family). Run daily: the
reminders timer of the README runs it with the other scheduled commands."""

from django.utils.translation import gettext_lazy

from clinic import family
from clinic.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Detach dependants who reached the age of consent from their guardians' accounts, and tell both."
    )

    def handle(self, *args, **options):
        count = family.dependants_detach_adults()
        self.stdout.write(f"{count} dependant(s) now manage their own record.")
