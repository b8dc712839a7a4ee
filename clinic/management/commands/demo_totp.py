from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clinic.demo import DEMO_TOTP_SECRET
from clinic.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Print the current two-factor code of the demo staff accounts (demo data only; see README)."
    )

    def handle(self, *args, **options):
        now = int(timezone.now().timestamp())
        period = app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period))
        self.stdout.write(f"{code}  (valid for {period - now % period} more seconds)")
