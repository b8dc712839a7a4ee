"""End the family link of every child who has reached CLINIC_AGE_OF_CONSENT (clinic.family). Run daily: the
reminders timer of the README runs it with the other scheduled commands."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from clinic import family


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when shown, not when the module loads
        return _("Detach dependants who reached the age of consent from their guardians' accounts, and tell both.")

    def handle(self, *args, **options):
        count = family.dependants_detach_adults()
        self.stdout.write(f"{count} dependant(s) now manage their own record.")
