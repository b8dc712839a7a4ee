"""Core people and places of the practice, and the audit trail.

This module imports nothing from `intake` or `scheduling` (see ARCHITECTURE.md).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: staff (front desk, practitioner, clinic admin) or a patient.

    Logs in with an e-mail address; there is no username.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a known IANA time zone (e.g. America/New_York).") % {"value": value}
        ) from exc


phone_validator = RegexValidator(
    r"^[0-9+()\-. ]{7,20}$", _("Enter a phone number of 7 to 20 digits, spaces, +, -, ( or ).")
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


def translations_field(help_text) -> models.JSONField:
    """A row's texts in other languages, by language code ({"es": {"name": "..."}}): `intake.languages` picks the
    reader's and checks them; `help_text` says which texts the row has."""
    return models.JSONField(default=dict, blank=True, help_text=help_text)


def actor_link() -> models.ForeignKey:
    """Who did something to a row (booked, cancelled, created, signed it): optional, and emptied when that account
    is deleted, so the row stays; no way back from the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Location(models.Model):
    name = models.CharField(max_length=120)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(_("state / province"), max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone], help_text="IANA name."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def one_line_address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Room(models.Model):
    """A treatment room or table: a session needs one at the same time as a practitioner."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_unique_name_per_location")]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"


class Practitioner(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=80, blank=True, help_text=_("e.g. DC, CSP"))
    colour = models.CharField(max_length=7, default="#2a6f97", validators=[colour_validator])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        INTERSEX = "intersex", _("Intersex")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    language = models.CharField(
        "language",
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the patient's pages and of every e-mail they get, reminders included."),
    )
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(_("state / province"), max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    emergency_contact_relationship = models.CharField(max_length=80, blank=True)
    guardian_name = models.CharField(
        max_length=200, blank=True, help_text=_("Parent or guardian who signs for a minor.")
    )
    guardian_relationship = models.CharField(max_length=80, blank=True)
    guardian_phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        help_text=_("The patient's own login, if they have one."),
    )
    # A duplicate record merged into another (see `clinic.services.patient_merge`): kept, so that its id stays
    # an alias of the survivor in the access log (audit rows never change), but no longer listed or booked.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records", editable=False
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The person's record as people fill and read it, in that order: the one list the patient form, the
    # records export and the intake's update of the record all use (never the login, ids or timestamps).
    RECORD_FIELDS = (
        "first_name",
        "last_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "language",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
        "guardian_name",
        "guardian_relationship",
        "guardian_phone",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("clinic:patient_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.age_on(day) < settings.CLINIC_AGE_OF_CONSENT


class AuditEvent(models.Model):
    """One read or write of patient data, a login event or a denied request. Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", pgettext_lazy("audit event action", "Viewed")
        CREATE = "create", pgettext_lazy("audit event action", "Created")
        UPDATE = "update", pgettext_lazy("audit event action", "Changed")
        DELETE = "delete", pgettext_lazy("audit event action", "Deleted")
        SIGN = "sign", pgettext_lazy("audit event action", "Signed")
        EXPORT = "export", pgettext_lazy("audit event action", "Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        LOCKOUT = "lockout", _("Locked out")
        DENIED = "denied", _("Access denied")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = actor_link()
    actor_label = models.CharField(
        max_length=254, blank=True, help_text=_("E-mail at the time, kept if the user goes.")
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The link is emptied if the patient is deleted; `patient_ref` keeps their id for good (the trigger of
    # migration 0007 refuses any change to it on PostgreSQL), and the access log and export read it.
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    patient_ref = models.BigIntegerField(
        "patient id", null=True, blank=True, editable=False, help_text="The patient's id, kept if the patient goes."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_ref", "-at"], name="clinic_audit_patient_ref_at")]
        constraints = [
            # Written together: a row linked to a patient carries the same id in patient_ref.
            models.CheckConstraint(
                condition=models.Q(patient__isnull=True)
                | models.Q(patient_ref__isnull=False, patient_ref=models.F("patient")),
                name="auditevent_patient_ref_is_the_patient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'anonymous'} {self.action} {self.object_type}"
