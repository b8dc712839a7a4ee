"""Scheduling models: appointment types, working hours, exceptions, appointments, series, waitlist.

Times of day (working hours, exceptions, waitlist windows) are local wall-clock times in the clinic's zone;
appointment instants are aware datetimes stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models import Location, Patient, Practitioner, Room, actor_link, colour_validator, translations_field
from intake.languages import check_translations, translated
from scheduling.constraints import PostgresExclusionConstraint, TsTzRange


class AppointmentType(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    duration = models.DurationField(help_text=_("Length of the session, e.g. 00:30:00."))
    buffer_after = models.DurationField(
        default=dt.timedelta(0), help_text="Room turnover after the session, e.g. 00:05:00."
    )
    colour = models.CharField(max_length=7, default="#5c7cfa", validators=[colour_validator])
    bookable_online = models.BooleanField(default=True)
    new_patient_only = models.BooleanField(default=False)
    requires_consent = models.BooleanField(_("requires signed consent"), default=True)
    active = models.BooleanField(default=True)
    translations = translations_field(
        'The name in other languages, as patients read it: {"es": {"name": "..."}}. A name not given is '
        "shown in English."
    )

    TRANSLATABLE = {"name": 120}

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration__gt=dt.timedelta(0)), name="appointmenttype_duration_positive"),
            models.CheckConstraint(
                condition=Q(buffer_after__gte=dt.timedelta(0)), name="appointmenttype_buffer_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the active language (the patient's pages, e-mails and calendar files), else `name`."""
        return translated(self, "name")

    def clean(self) -> None:
        check_translations(self.translations, self.TRANSLATABLE)

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One wall-clock interval a practitioner works at a location on a weekday; several per day make breaks."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="workinghours_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """Time off or a meeting (a whole day when no times are given), or extra hours, on one date."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", _("Time off")
        MEETING = "meeting", pgettext_lazy("availability exception kind", "Meeting")
        EXTRA_HOURS = "extra_hours", _("Extra hours")

    # Kinds that take the practitioner away from patients (availability subtracts them from the hours).
    BLOCKING_KINDS = (Kind.TIME_OFF, Kind.MEETING)

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="availability_exceptions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TIME_OFF)
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True, help_text=_("Leave both times empty for the whole day."))
    end_time = models.TimeField(null=True, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, help_text="Where extra hours are worked."
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (Q(start_time__isnull=False) & Q(end_time__isnull=False) & Q(start_time__lt=F("end_time"))),
                name="availabilityexception_times_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        hours = f" {self.start_time:%H:%M}-{self.end_time:%H:%M}" if self.start_time else " (whole day)"
        return f"{self.practitioner}: {self.get_kind_display()} {self.date}{hours}"

    @property
    def whole_day(self) -> bool:
        return self.start_time is None

    def clean(self):
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError(_("Give both a start and an end time, or neither for the whole day."))
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": _("The end time must be after the start time.")})
        if self.kind == self.Kind.EXTRA_HOURS:
            if self.start_time is None:
                raise ValidationError({"start_time": _("Extra hours need a start and an end time.")})
            if self.location_id is None:
                raise ValidationError({"location": _("Say where the extra hours are worked.")})


class CalendarFeed(models.Model):
    """A practitioner's private calendar feed: the secret in its URL is the only credential, so only its
    SHA-256 is stored (the URL is shown once, when made); making a new one replaces the old."""

    practitioner = models.OneToOneField(Practitioner, on_delete=models.CASCADE, related_name="calendar_feed")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.practitioner}"


class CarePlanSeries(models.Model):
    """A practitioner's plan (e.g. twice a week for six weeks), booked as a series of appointments in one step."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_plan_series")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="care_plan_series")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    first_date = models.DateField()
    weeks = models.PositiveSmallIntegerField()
    weekdays = models.CharField(max_length=20, help_text=_("Comma-separated weekday numbers, Monday = 0."))
    time_of_day = models.TimeField()
    notes = models.CharField(max_length=300, blank=True)
    created_by = actor_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("care-plan series")

    def __str__(self) -> str:
        return f"{self.patient}: {self.appointment_type} x {self.weekday_list_display} for {self.weeks} weeks"

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip()]

    @property
    def weekday_list_display(self) -> str:
        return ", ".join(str(Weekday(d).label) for d in self.weekday_list)


# Front-desk notes are short, like the other reasons the desk types (cancellation, check-in override: 300).
FRONTDESK_NOTES_MAX = 500


class Appointment(models.Model):
    class Status(models.TextChoices):  # the labels show on the patient's account pages: in their language
        BOOKED = "booked", pgettext_lazy("appointment status", "Booked")
        CHECKED_IN = "checked_in", pgettext_lazy("appointment status", "Checked in")
        IN_TREATMENT = "in_treatment", pgettext_lazy("appointment status", "In treatment")
        COMPLETED = "completed", pgettext_lazy("appointment status", "Completed")
        CANCELLED = "cancelled", pgettext_lazy("appointment status", "Cancelled")
        NO_SHOW = "no_show", pgettext_lazy("appointment status", "No-show")

    class Source(models.TextChoices):
        FRONT_DESK = "front_desk", _("Front desk")
        ONLINE = "online", pgettext_lazy("appointment source", "Online")

    # Statuses that hold the practitioner and the room (the exclusion constraints apply to these).
    ACTIVE_STATUSES = (Status.BOOKED, Status.CHECKED_IN, Status.IN_TREATMENT, Status.COMPLETED)

    uid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text=_("Stable id for calendar files.")
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocks_until = models.DateTimeField(help_text=_("End plus the type's buffer: the room is taken until then."))
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FRONT_DESK)
    booked_by = actor_link()
    frontdesk_notes = models.TextField(
        "notes for the front desk", blank=True, validators=[MaxLengthValidator(FRONTDESK_NOTES_MAX)]
    )
    cancellation_reason = models.CharField(max_length=300, blank=True)
    cancelled_by = actor_link()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    check_in_override_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the patient was checked in with intake or consent missing."
    )
    series = models.ForeignKey(
        CarePlanSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    # For online booking and reminders (the next issue): no migration of its own needed.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_task_id = models.CharField(max_length=64, blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text=_("Incremented on every reschedule (.ics SEQUENCE)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "practitioner"]
        indexes = [
            models.Index(fields=["start"]),
            models.Index(fields=["practitioner", "start"]),
            models.Index(fields=["room", "start"]),
            models.Index(fields=["patient", "start"]),
            # "Completed a visit before this one" (the calendar's new-patient flag, `selectors.calendar_day`):
            # an EXISTS per appointment that, through the plain (patient, start) index, read every earlier
            # visit of the patient to find a completed one; this index holds only the completed ones.
            models.Index(
                fields=["patient", "start"], condition=Q(status="completed"), name="appointment_completed_visits"
            ),
            # The reports' probe for a visit's next appointment (retention: was it booked before the patient
            # left?) and the lapsed patients' "anything booked or attended since" reads only these columns:
            # answered from the index alone, without reading the rows.
            models.Index(
                fields=["patient", "start", "status", "cancelled_at", "created_at"], name="appt_patient_next_cover"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(condition=Q(blocks_until__gte=F("end")), name="appointment_blocks_until_after_end"),
            PostgresExclusionConstraint(
                name="appointment_no_practitioner_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("practitioner", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["booked", "checked_in", "in_treatment", "completed"]),
            ),
            PostgresExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[
                    (TsTzRange("start", "blocks_until", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["booked", "checked_in", "in_treatment", "completed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.practitioner}, {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def local_start(self) -> dt.datetime:
        return timezone.localtime(self.start)

    @property
    def online_change_deadline(self) -> dt.datetime:
        """Until this instant the patient may cancel or reschedule online (CLINIC_CANCELLATION_HOURS before)."""
        return self.start - dt.timedelta(hours=settings.CLINIC_CANCELLATION_HOURS)

    def can_change_online(self, now: dt.datetime) -> bool:
        """Booked, and the policy window has not begun (exactly at the deadline is still allowed)."""
        return self.status == self.Status.BOOKED and now <= self.online_change_deadline


class WaitlistEntry(models.Model):
    """A patient who wants an earlier or different time: which type, with whom, on which dates and times of day."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    practitioners = models.ManyToManyField(
        Practitioner, blank=True, related_name="+", help_text="Leave empty for any practitioner."
    )
    earliest_date = models.DateField()
    latest_date = models.DateField()
    time_from = models.TimeField(default=dt.time(7, 0))
    time_to = models.TimeField(default=dt.time(20, 0))
    notes = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    created_by = actor_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.CheckConstraint(condition=Q(earliest_date__lte=F("latest_date")), name="waitlist_dates_in_order"),
            models.CheckConstraint(condition=Q(time_from__lt=F("time_to")), name="waitlist_times_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.appointment_type} {self.earliest_date}..{self.latest_date}"
