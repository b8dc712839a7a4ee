"""`manage.py create_clinic_admin`: the first clinic admin of a new installation, with two-factor from the start.

Asks for the e-mail address, the name and a password (checked by the password validators), shows a new TOTP
secret (as a QR code, an otpauth:// link and the plain secret) and asks for a code from the authenticator app;
only when the code is right is the account created, in the Clinic admin group, with the e-mail verified, the
authenticator enrolled and recovery codes printed once. Staff cannot use the site without a second factor, so
an admin without one would be locked out at the first login.
"""

from __future__ import annotations

import getpass
import io
import sys

import qrcode
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinic.management.base import TranslatedHelpCommand
from clinic.models import AuditEvent, User
from clinic.roles import CLINIC_ADMIN
from clinic.services import audit_record

CODE_TRIES = 3


@transaction.atomic
def clinic_admin_create(*, email: str, first_name: str, last_name: str, password: str, totp_secret: str) -> User:
    """Create a superuser in the Clinic admin group with a verified e-mail and the TOTP secret enrolled."""
    user = User.objects.create_superuser(email=email, password=password, first_name=first_name, last_name=last_name)
    user.groups.add(Group.objects.get(name=CLINIC_ADMIN))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, totp_secret)
    audit_record(action=AuditEvent.Action.CREATE, obj=user, detail="clinic admin created with create_clinic_admin")
    return user


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Create a clinic admin account (asks for the e-mail and a password) and enrol its two-factor app."
    )

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--email", help=_("the admin's e-mail address (asked for when left out)"))

    def handle(self, *args, **options):
        self.stdin = options.get("stdin", sys.stdin)
        email = self._email(options["email"])
        first_name = self._ask(_("First name: "))
        last_name = self._ask(_("Last name: "))
        password = self._password(User(email=email, first_name=first_name, last_name=last_name))

        secret = generate_totp_secret()
        url = get_mfa_adapter().build_totp_url(User(email=email), secret)
        self.stdout.write(
            "\n"
            + _("Two-factor: scan this QR code with the authenticator app (Google Authenticator, Aegis, 1Password...),")
        )
        self.stdout.write(self._qr(url))
        self.stdout.write(_("or open this link on the phone: %(url)s") % {"url": url})
        self.stdout.write(_("or type this secret: %(secret)s") % {"secret": secret} + "\n")
        for attempt in range(1, CODE_TRIES + 1):
            code = self._ask(_("The 6-digit code the app shows now: ")).replace(" ", "")
            if validate_totp_code(secret, code):
                break
            left = CODE_TRIES - attempt
            if left:
                self.stderr.write(
                    ngettext(
                        "That code does not match the secret above. Check the phone's clock is set automatically; "
                        "%(left)s more try.",
                        "That code does not match the secret above. Check the phone's clock is set automatically; "
                        "%(left)s more tries.",
                        left,
                    )
                    % {"left": left}
                )
            else:
                self.stderr.write(
                    _("That code does not match the secret above. Check the phone's clock is set automatically.")
                )
        else:
            raise CommandError(_("No account was created: the authenticator code did not match three times."))

        user = clinic_admin_create(
            email=email, first_name=first_name, last_name=last_name, password=password, totp_secret=secret
        )
        # The enrolment code counts as used, as a login code would: it cannot be replayed at the login page.
        TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)).validate_code(code)
        codes = RecoveryCodes.activate(user).get_unused_codes()
        self.stdout.write(
            self.style.SUCCESS(
                "\n" + _("Created the clinic admin %(email)s with two-factor enrolled.") % {"email": user.email}
            )
        )
        self.stdout.write(
            _(
                "Recovery codes (each logs in once if the phone is lost; store them somewhere safe, they are not shown "
                "again):"
            )
            + "\n  "
            + "  ".join(codes)
        )

    def _ask(self, prompt: str, *, secret: bool = False) -> str:
        if secret and self.stdin.isatty():
            return getpass.getpass(prompt)
        self.stdout.write(prompt, ending="")
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise CommandError(_("No account was created: the input ended before every question was answered."))
        return line.strip()

    def _email(self, given: str | None) -> str:
        # Lower-cased as allauth stores addresses, so the login form finds the account however it is typed.
        email = (given or self._ask(_("E-mail address of the clinic admin: "))).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                _("%(email)r is not an e-mail address. No account was created.") % {"email": email}
            ) from None
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(
                _("An account with the e-mail address %(email)s already exists. No account was created.")
                % {"email": email}
            )
        return email

    def _password(self, user: User) -> str:
        for _attempt in range(CODE_TRIES):
            password = self._ask(_("Password: "), secret=True)
            if password != self._ask(_("Password (again): "), secret=True):
                self.stderr.write(_("The two passwords differ. Type them again."))
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(_("That password is refused: %(reasons)s") % {"reasons": " ".join(error.messages)})
                continue
            return password
        raise CommandError(_("No account was created: no acceptable password was given."))

    @staticmethod
    def _qr(url: str) -> str:
        code = qrcode.QRCode(border=2)
        code.add_data(url)
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)
        return out.getvalue()
