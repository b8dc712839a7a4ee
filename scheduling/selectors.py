"""Reads of scheduling that views (and other apps) share; related rows fetched up front."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.postgres.fields import RangeBoundary
from django.db import connections, router
from django.db.models import BigIntegerField, Exists, FilteredRelation, Func, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Location, Patient, Practitioner
from intake import selectors as intake_selectors
from scheduling.availability import (
    EPOCH,
    LOOKBACK,
    clinic_zone,
    day_bounds,
    epoch_micros_sql,
    load_hours,
    location_for,
)
from scheduling.constraints import TsTzRange
from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    CalendarFeed,
    CarePlanSeries,
    WaitlistEntry,
)


def appointment_types_active() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(active=True).order_by("name")


def _with_related(qs: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return qs.select_related("patient", "practitioner", "room__location", "appointment_type")


def _completed_before() -> Exists:
    """Whether the appointment's patient completed a visit before it (the "new patient" flag), in the same query."""
    return Exists(
        Appointment.objects.filter(
            patient_id=OuterRef("patient_id"), status=Appointment.Status.COMPLETED, start__lt=OuterRef("start")
        )
    )


def appointments_between(start: dt.datetime, end: dt.datetime, *, practitioner_id: int | None = None):
    """Appointments overlapping [start, end), carrying `completed_before` for `flags_for` (no extra query)."""
    qs = _with_related(Appointment.objects.filter(start__lt=end, end__gt=start)).annotate(
        completed_before=_completed_before()
    )
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    return qs.order_by("start", "practitioner__display_name")


def appointments_for_day(day: dt.date, *, practitioner_id: int | None = None) -> QuerySet[Appointment]:
    start, end = day_bounds(day, clinic_zone())
    return appointments_between(start, end, practitioner_id=practitioner_id)


@dataclass(frozen=True, slots=True)
class CalendarAppointment:
    """An appointment as the calendar shows it (day and week views, `flags_for`, the care plans' block labels),
    read as one row: a busy day has 400 of them, and building each as five model instances was half the page's
    time (issue 15 item 6)."""

    pk: int
    status: str
    start: dt.datetime
    end: dt.datetime
    cancellation_reason: str
    patient_id: int
    patient_name: str
    practitioner_id: int
    practitioner_name: str
    room_name: str  # "" without a room
    type_name: str
    type_colour: str
    new_patient_only: bool
    completed_before: bool
    patient_language: str = ""  # Patient.language ("en", "es"); the calendar badges one that is not the default

    @property
    def is_active(self) -> bool:
        return self.status in Appointment.ACTIVE_STATUSES

    @property
    def status_display(self) -> str:
        return Appointment.Status(self.status).label


class _EpochMicros(Func):
    """A datetime column as integer microseconds since 1970 UTC (`availability.epoch_micros_sql`): a busy day's
    800 instants read as integers and made datetimes in Python cost a tenth of reading timestamps."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return epoch_micros_sql(connection.vendor, column), params


def _instant(micros: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micros)  # aware, UTC, as Django reads a DateTimeField


def _calendar_row(t: tuple, completed_before: bool, practitioner_id: int, practitioner_name: str):
    """A CalendarAppointment from a row of `_CALENDAR_VALUES` (and the practitioner, read beside it)."""
    return CalendarAppointment(
        pk=t[0],
        status=t[1],
        start=_instant(t[2]),
        end=_instant(t[3]),
        cancellation_reason=t[4],
        patient_id=t[5],
        patient_name=f"{t[6]} {t[7]}",  # as Patient.full_name
        practitioner_id=practitioner_id,
        practitioner_name=practitioner_name,
        room_name=t[8] or "",
        type_name=t[9],
        type_colour=t[10],
        new_patient_only=bool(t[11]),  # SQLite's 0 or 1 when read by a plain cursor
        completed_before=completed_before,
        patient_language=t[12],
    )


_CALENDAR_VALUES = (
    "pk",
    "status",
    "start_us",  # `_EpochMicros` of start and end (`_epoch_annotations`)
    "end_us",
    "cancellation_reason",
    "patient_id",
    "patient__first_name",
    "patient__last_name",
    "room__name",
    "appointment_type__name",
    "appointment_type__colour",
    "appointment_type__new_patient_only",
    "patient__language",
)
_N = len(_CALENDAR_VALUES)


def _epoch_annotations(prefix: str = "") -> dict:
    return {"start_us": _EpochMicros(f"{prefix}start"), "end_us": _EpochMicros(f"{prefix}end")}


def _values(prefix: str) -> list[str]:
    """`_CALENDAR_VALUES` through the relation `prefix` ("shown__"), the annotations as they are."""
    return [name if name in ("start_us", "end_us") else f"{prefix}{name}" for name in _CALENDAR_VALUES]


def calendar_appointments_between(
    start: dt.datetime, end: dt.datetime, *, practitioner_id: int | None = None
) -> list[CalendarAppointment]:
    """The appointments overlapping [start, end) as the calendar shows them (the week views), in one query,
    read from both sides as `calendar_day` reads its day: those starting from `LOOKBACK` before `start` until
    `end`, and the active ones begun earlier and still running at `start` (`_started_earlier`)."""
    earliest = start - LOOKBACK
    columns = (*_CALENDAR_VALUES, "completed_before", "practitioner_id", "practitioner__display_name")
    recent = Appointment.objects.filter(start__gte=earliest, start__lt=end, end__gt=start)
    earlier = Appointment.objects.alias(_span=TsTzRange("start", "end", RangeBoundary())).filter(
        _started_earlier(start, earliest, connections[router.db_for_read(Appointment)])
    )
    parts = []
    for qs in (recent, earlier):
        if practitioner_id is not None:
            qs = qs.filter(practitioner_id=practitioner_id)
        parts.append(
            qs.annotate(completed_before=_completed_before(), **_epoch_annotations()).order_by().values_list(*columns)
        )
    rows = [_calendar_row(t, bool(t[_N]), t[_N + 1], t[_N + 2]) for t in parts[0].union(parts[1], all=True)]
    rows.sort(key=lambda a: (a.start, a.practitioner_name, a.pk))  # as calendar_day sorts its appointments
    return rows


def _started_earlier(start: dt.datetime, earliest: dt.datetime, connection) -> Q:
    """Active appointments that began before `earliest` and still run at `start`: on PostgreSQL the point
    `start` in their time range, which the practitioner exclusion constraint's GiST index finds directly
    (`start < earliest AND end > start` would walk the history)."""
    # SQLite (the development database) reads the history before `earliest`.
    range_holds = Q(_span__contains=start) if connection.vendor == "postgresql" else Q(end__gt=start)
    return Q(status__in=Appointment.ACTIVE_STATUSES, start__lt=earliest) & range_holds


def _calendar_day_query(start: dt.datetime, end: dt.datetime, earliest: dt.datetime, connection) -> QuerySet:
    """`calendar_day`'s statement: the active practitioners joined to the appointments starting from `earliest`
    until `end` that run after `start`, UNION ALL the active ones begun earlier and still running."""
    practitioner_columns = ("pk", "user_id", "display_name")
    rows = (
        Practitioner.objects.filter(active=True)
        .annotate(
            # The day's appointments, joined.
            shown=FilteredRelation(
                "appointments",
                condition=Q(
                    appointments__start__gte=earliest, appointments__start__lt=end, appointments__end__gt=start
                ),
            ),
            completed_before=Exists(
                Appointment.objects.filter(
                    patient_id=OuterRef("shown__patient_id"),
                    status=Appointment.Status.COMPLETED,
                    start__lt=OuterRef("shown__start"),
                )
            ),
            **_epoch_annotations("shown__"),
        )
        .order_by()
        .values_list(*_values("shown__"), "completed_before", *practitioner_columns)
    )
    earlier = (
        Appointment.objects.alias(_span=TsTzRange("start", "end", RangeBoundary()))
        .filter(_started_earlier(start, earliest, connection))
        .filter(practitioner__active=True)
        .annotate(completed_before=_completed_before(), **_epoch_annotations())
        .order_by()
        .values_list(*_CALENDAR_VALUES, "completed_before", *(f"practitioner__{c}" for c in practitioner_columns))
    )
    # Practitioners in name order (the database's collation); their appointments are sorted by the caller.
    return rows.union(earlier, all=True).order_by("display_name", "pk")


# `_calendar_day_query` compiled once per database: building and compiling it took longer than running it (a
# fifth of the day's selector). Compiled with these three instants, which then mark where each of the day's
# own goes among the parameters.
_DAY_MARKERS = tuple(dt.datetime(1901, 1, day, tzinfo=dt.UTC) for day in (1, 2, 3))
_day_statements: dict[str, tuple[str, tuple, tuple[tuple[int, int], ...]]] = {}


def _calendar_day_rows(start: dt.datetime, end: dt.datetime, earliest: dt.datetime) -> list[tuple]:
    connection = connections[router.db_for_read(Appointment)]
    statement = _day_statements.get(connection.alias)
    if statement is None:
        sql, params = _calendar_day_query(*_DAY_MARKERS, connection).query.get_compiler(connection=connection).as_sql()
        markers = [connection.ops.adapt_datetimefield_value(m) for m in _DAY_MARKERS]
        slots = tuple((i, markers.index(p)) for i, p in enumerate(params) if any(p is m or p == m for m in markers))
        assert len(slots) >= 4, "the day's instants are not parameters of its statement"
        statement = _day_statements[connection.alias] = (sql, tuple(params), slots)
    sql, params, slots = statement
    values = [connection.ops.adapt_datetimefield_value(v) for v in (start, end, earliest)]
    params = list(params)
    for index, which in slots:
        params[index] = values[which]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def calendar_day(day: dt.date) -> tuple[list[Practitioner], list[CalendarAppointment]]:
    """The day view's practitioners (the active ones, by name, as `clinic.selectors.practitioners_active`) and
    their appointments that day, in one query: the practitioners joined to the day's appointments (a row of
    NULLs for one with none). The practitioners are unsaved copies holding their id, user and display name.

    The day's appointments are read from both sides: those starting from a day before it (`LOOKBACK`) until its
    end, a range of the `(practitioner, start)` index; the rare active one begun earlier and still running comes
    from a second part of the same statement (`_started_earlier`). A cancelled or missed appointment begun more
    than a day before is not listed. (Bounded from above only, the query read every practitioner's history.)"""
    start, end = day_bounds(day, clinic_zone())
    practitioners: dict[int, Practitioner] = {}
    appointments = []
    for t in _calendar_day_rows(start, end, start - LOOKBACK):
        pk, name = t[_N + 1], t[_N + 3]
        if pk not in practitioners:
            practitioners[pk] = Practitioner(pk=pk, user_id=t[_N + 2], display_name=name)
        if t[0] is not None:  # None: a practitioner with no appointment that day
            appointments.append(_calendar_row(t, bool(t[_N]), pk, name))
    appointments.sort(key=lambda x: (x.start, x.practitioner_name, x.pk))
    return list(practitioners.values()), appointments


def appointment_detail(pk: int) -> Appointment:
    return _with_related(Appointment.objects.select_related("booked_by", "cancelled_by", "series")).get(pk=pk)


def appointments_for_patient(patient: Patient) -> QuerySet[Appointment]:
    return _with_related(Appointment.objects.filter(patient=patient)).order_by("-start")


def patient_appointments_split(patient: Patient, now: dt.datetime) -> tuple[list[Appointment], list[Appointment]]:
    """A patient's own appointments: upcoming (booked, not yet ended, soonest first) and the rest (latest first)."""
    rows = list(appointments_for_patient(patient))
    upcoming = [a for a in rows if a.status == Appointment.Status.BOOKED and a.end > now]
    upcoming.sort(key=lambda a: a.start)
    past = [a for a in rows if a not in upcoming]
    return upcoming, past


def family_appointments_split(patient_ids: list[int], now: dt.datetime) -> tuple[list[Appointment], list[Appointment]]:
    """`patient_appointments_split` for a family account: every member's appointments in one query (each row
    with its patient, for the member's name beside it)."""
    rows = list(_with_related(Appointment.objects.filter(patient_id__in=patient_ids)).order_by("-start"))
    upcoming = sorted((a for a in rows if a.status == Appointment.Status.BOOKED and a.end > now), key=lambda a: a.start)
    past = [a for a in rows if a not in upcoming]
    return upcoming, past


def intake_to_do(patient: Patient) -> bool:
    """Has this patient still to fill in (or submit) their intake form? (The booking confirmation's next step.)"""
    return intake_selectors.patient_readiness(patient).intake_status != "submitted"


def patient_has_history(patient: Patient) -> bool:
    """A returning patient: any appointment that was not cancelled or missed (the online new-patient rule)."""
    return Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES).exists()


def reminders_due(*, now: dt.datetime, hours: int) -> list[tuple[int, int]]:
    """(id, sequence) of booked appointments starting within `hours` whose reminder has not gone out."""
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=now + dt.timedelta(hours=hours),
        )
        .exclude(patient__email="")
        .order_by("start")
        .values_list("pk", "sequence")
    )


def appointments_for_series(series) -> QuerySet[Appointment]:
    return _with_related(Appointment.objects.filter(series=series)).order_by("start")


@dataclass(frozen=True)
class Flags:
    new_patient: bool
    intake_missing: bool
    consent_missing: bool
    red_flag: bool
    missing: tuple[str, ...]
    intake_status: str = "not_started"
    consent_status: str = "missing"

    @property
    def intake_label(self) -> str:
        """What is missing of the intake, in the desk's words (for the badge on the appointment page)."""
        return _("Intake not started") if self.intake_status == "not_started" else _("Intake not submitted")

    @property
    def consent_label(self) -> str:
        if self.consent_status == "out_of_date":
            return _("Consent out of date")
        if self.consent_status == "withdrawn":
            return _("Consent withdrawn")
        return _("Consent not signed")


def flags_for(appointments: list[Appointment] | list[CalendarAppointment]) -> dict[int, Flags]:
    """Calendar flags per appointment id in a fixed number of queries: one call to intake, plus one of ours
    unless the appointments come from `appointments_between` (annotated with `completed_before`).

    "New patient": the patient completed no visit before this appointment (or its type is for new patients).
    """
    if not appointments:
        return {}
    patient_ids = {a.patient_id for a in appointments}
    if all(hasattr(a, "completed_before") for a in appointments):
        returning = {a.pk for a in appointments if a.completed_before}
    else:
        first_completed = dict(
            Appointment.objects.filter(
                patient_id__in=patient_ids,
                status=Appointment.Status.COMPLETED,
                start__lt=max(a.start for a in appointments),
            )
            .order_by()  # Meta.ordering would join the practitioner and sort for nothing
            .values("patient_id")
            .annotate(first=Min("start"))
            .values_list("patient_id", "first")
        )
        returning = {
            a.pk for a in appointments if a.patient_id in first_completed and first_completed[a.patient_id] < a.start
        }
    readiness = intake_selectors.readiness_for_patients(patient_ids)
    # Flags are frozen: rows with the same flags share one (a busy day has 400 appointments and a handful of
    # distinct flags), and the calendar writes each distinct one's markup once (`calendar_html.flags_html`).
    shared: dict[tuple, Flags] = {}
    flags = {}
    blank = intake_selectors.Readiness()
    for a in appointments:
        r = readiness.get(a.patient_id) or blank
        new = a.pk not in returning or _for_new_patients(a)
        key = (new, r.intake_status, r.consent_status, bool(r.red_flags_unreviewed), r.missing)
        one = shared.get(key)
        if one is None:
            one = shared[key] = Flags(
                new_patient=new,
                intake_missing=r.intake_status != "submitted",
                consent_missing=r.consent_status != "current",
                red_flag=bool(r.red_flags_unreviewed),
                missing=tuple(r.missing),
                intake_status=r.intake_status,
                consent_status=r.consent_status,
            )
        flags[a.pk] = one
    return flags


def _for_new_patients(appointment) -> bool:
    if isinstance(appointment, CalendarAppointment):
        return appointment.new_patient_only
    return appointment.appointment_type.new_patient_only


def waitlist_matches_q(appointment: Appointment) -> Q:
    local = timezone.localtime(appointment.start)
    return (
        Q(active=True, appointment_type=appointment.appointment_type_id)
        & Q(earliest_date__lte=local.date(), latest_date__gte=local.date())
        & Q(time_from__lte=local.time(), time_to__gte=timezone.localtime(appointment.end).time())
        & (Q(practitioners__isnull=True) | Q(practitioners=appointment.practitioner_id))
        & ~Q(patient=appointment.patient_id)
    )


def waitlist_active() -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(active=True)
        .select_related("patient", "appointment_type")
        .prefetch_related("practitioners")
        .order_by("created_at", "pk")
    )


def waitlist_matches(appointment: Appointment) -> QuerySet[WaitlistEntry]:
    """Active waitlist entries that would take this appointment's time (type, practitioner, date, time of day)."""
    ids = WaitlistEntry.objects.filter(waitlist_matches_q(appointment)).values("pk")
    return waitlist_active().filter(pk__in=ids)


def practitioner_location_at(practitioner, start: dt.datetime, end: dt.datetime) -> Location | None:
    """Where the practitioner works from `start` to `end` (the location of their hours then), or None."""
    zone = clinic_zone()
    day = start.astimezone(zone).date()
    data = load_hours(practitioner_ids=[practitioner.pk], first_day=day, last_day=day)
    location_id = location_for(data, practitioner.pk, start, end, zone)
    return Location.objects.filter(pk=location_id).first() if location_id is not None else None


def today() -> dt.date:
    return timezone.localdate()


def appointment_type_by_slug(slug: str, *, online_only: bool) -> AppointmentType | None:
    """An active appointment type by its slug; `online_only` leaves out the types patients cannot book online."""
    if not slug:
        return None
    types = appointment_types_active()
    if online_only:
        types = types.filter(bookable_online=True)
    return types.filter(slug=slug).first()


def series_detail(pk: int) -> CarePlanSeries | None:
    return CarePlanSeries.objects.select_related("patient", "practitioner", "appointment_type").filter(pk=pk).first()


def waitlist_entry_active(pk: int) -> WaitlistEntry | None:
    return WaitlistEntry.objects.select_related("patient").filter(pk=pk, active=True).first()


# --- Calendar feeds and time blocks -------------------------------------------------------------------


def feed_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The feed whose secret is `token` (compared by its SHA-256, so the stored value never opens a feed)."""
    return (
        CalendarFeed.objects.select_related("practitioner")
        .filter(token_sha256=feed_token_digest(token), practitioner__active=True)
        .first()
    )


def calendar_feed_of(practitioner) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(practitioner=practitioner).first()


def feed_appointments(practitioner, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    """The practitioner's appointments that still hold their time (cancelled and no-shows left out)."""
    return (
        Appointment.objects.filter(
            practitioner=practitioner, start__lt=end, end__gt=start, status__in=Appointment.ACTIVE_STATUSES
        )
        .select_related("patient", "appointment_type", "room__location")
        .order_by("start")
    )


def time_blocks_between(practitioner_ids, first_day: dt.date, last_day: dt.date) -> QuerySet[AvailabilityException]:
    """Time off, meetings and extra hours of these practitioners on these local dates."""
    return AvailabilityException.objects.filter(
        practitioner_id__in=list(practitioner_ids), date__gte=first_day, date__lte=last_day
    ).order_by("date", "start_time")


def time_blocks_by_ids(ids) -> list[AvailabilityException]:
    return list(AvailabilityException.objects.filter(pk__in=list(ids)).select_related("practitioner").order_by("date"))


def appointments_overlapping_blocks(blocks: list[AvailabilityException]) -> list[Appointment]:
    """Active appointments of the blocks' practitioner inside any blocking one (time off or a meeting)."""
    zone = clinic_zone()
    found: dict[int, Appointment] = {}
    for block in blocks:
        if block.kind not in AvailabilityException.BLOCKING_KINDS:
            continue
        if block.whole_day:
            start, end = day_bounds(block.date, zone)
        else:
            start = dt.datetime.combine(block.date, block.start_time, tzinfo=zone)
            end = dt.datetime.combine(block.date, block.end_time, tzinfo=zone)
        for a in _with_related(
            Appointment.objects.filter(
                practitioner_id=block.practitioner_id,
                start__lt=end,
                end__gt=start,
                status__in=Appointment.ACTIVE_STATUSES,
            )
        ):
            found[a.pk] = a
    return sorted(found.values(), key=lambda a: a.start)


def urgent_alerts_open():
    """Urgent intake answers still waiting for a call (the day view shows them above the calendar)."""
    return intake_selectors.urgent_alerts_open()
