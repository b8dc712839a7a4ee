from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when shown, not when the module loads
        return _("Print the current two-factor code of the demo staff accounts (demo data only; see README).")

    def handle(self, *args, **options):
        from allauth.mfa import app_settings

        now = int(timezone.now().timestamp())
        period = app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period))
        self.stdout.write(f"{code}  (valid for {period - now % period} more seconds)")
