"""Demo data for the core: a location with rooms, staff of every role, 20 patients.

Idempotent: every row is looked up by a natural key before it is created.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction

from clinic.models import GuardianLink, Location, Patient, Practitioner, Room, User
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PRACTITIONER

DEMO_PASSWORD = "demo-clinic-2026"
# Demo staff share this TOTP secret (base32): add it to any authenticator app, or run
# `python manage.py demo_totp` for the current code. Demo data only: real staff enrol their own.
DEMO_TOTP_SECRET = "CLINICDEMOSTAFFTOTPSECRETXYZ2345"

PRACTITIONERS = [
    ("amara.okafor@example.com", "Amara", "Okafor", "Dr. Amara Okafor", "DC, CSP", "#2a6f97"),
    ("ben.hartley@example.com", "Ben", "Hartley", "Dr. Ben Hartley", "DC", "#6a4c93"),
    ("chen.li@example.com", "Chen", "Li", "Dr. Chen Li", "DC, CSP", "#2d6a4f"),
]

PATIENT_NAMES = [
    ("Olivia", "Martin", "1988-03-14", "female"),
    ("Liam", "Nguyen", "1975-11-02", "male"),
    ("Emma", "Garcia", "1992-07-21", "female"),
    ("Noah", "Smith", "1969-01-30", "male"),
    ("Ava", "Johnson", "2001-05-09", "female"),
    ("Elijah", "Brown", "1958-09-17", "male"),
    ("Sophia", "Davis", "1984-12-03", "female"),
    ("James", "Miller", "1979-04-26", "male"),
    ("Isabella", "Wilson", "1996-08-11", "female"),
    ("Lucas", "Moore", "1963-02-19", "male"),
    ("Mia", "Taylor", "1990-10-05", "female"),
    ("Mateo", "Anderson", "1987-06-28", "male"),
    ("Charlotte", "Thomas", "1972-03-07", "female"),
    ("Henry", "Jackson", "1999-12-24", "male"),
    ("Amelia", "White", "1981-01-15", "female"),
    ("Theo", "Harris", "2012-09-01", "male"),
    ("Harper", "Clark", "1966-05-22", "female"),
    ("Leo", "Lewis", "1994-11-13", "male"),
    ("Evelyn", "Walker", "1977-07-04", "female"),
    ("Jack", "Hall", "1985-02-27", "male"),
]


# A parent's family account (clinic.family): Morgan Harris has no record of their own and acts for Theo Harris
# (patient 16, whose intake and consent they filled and signed) and for Ruby Harris, who has not been seen yet.
FAMILY_EMAIL = "morgan.harris@example.com"


def _seed_family() -> None:
    parent = _user(FAMILY_EMAIL, "Morgan", "Harris")
    theo = Patient.objects.get(first_name="Theo", last_name="Harris")
    ruby, _ = Patient.objects.get_or_create(
        first_name="Ruby",
        last_name="Harris",
        date_of_birth=dt.date(2019, 4, 12),
        defaults={
            "sex": Patient.Sex.FEMALE,
            "address_line1": theo.address_line1,
            "city": theo.city,
            "region": theo.region,
            "postal_code": theo.postal_code,
            "guardian_name": "Morgan Harris",
            "guardian_relationship": "Mother",
            "guardian_phone": theo.guardian_phone,
        },
    )
    for child in (theo, ruby):
        GuardianLink.objects.get_or_create(
            guardian=parent, dependant=child, ended_at=None, defaults={"relationship": "Mother", "created_by": parent}
        )


def _user(email: str, first: str, last: str, *, group: str | None = None, superuser: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "is_staff": superuser or group is not None}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = superuser
        user.save()
        _verify_email(user)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if group or superuser:
        _enrol_demo_totp(user)
    return user


def _enrol_demo_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def _verify_email(user: User) -> None:
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


@transaction.atomic
def seed(stdout=None) -> None:
    location, _ = Location.objects.get_or_create(
        name="Harbour Street",
        defaults={
            "address_line1": "120 Harbour Street",
            "city": "Portland",
            "region": "ME",
            "postal_code": "04101",
            "phone": "(555) 010-2040",
        },
    )
    for name in ("Room 1", "Room 2", "Room 3"):
        Room.objects.get_or_create(location=location, name=name)

    _user("admin@example.com", "Alex", "Admin", group=CLINIC_ADMIN, superuser=True)
    _user("frontdesk@example.com", "Fran", "Desk", group=FRONT_DESK)
    for email, first, last, display, credentials, colour in PRACTITIONERS:
        user = _user(email, first, last, group=PRACTITIONER)
        Practitioner.objects.get_or_create(
            user=user, defaults={"display_name": display, "credentials": credentials, "colour": colour}
        )

    for index, (first, last, born, sex) in enumerate(PATIENT_NAMES, start=1):
        email = f"patient{index:02d}@example.com"
        # Patients 1-10 have an online account; 11-20 were registered by the front desk only.
        user = _user(email, first, last) if index <= 10 else None
        minor = dt.date.fromisoformat(born).year >= 2010
        Patient.objects.get_or_create(
            first_name=first,
            last_name=last,
            date_of_birth=dt.date.fromisoformat(born),
            defaults={
                "sex": sex,
                "email": email,
                "phone": f"(555) 01{index:01d}-{1000 + index * 37}",
                "address_line1": f"{10 + index} Elm Street",
                "city": "Portland",
                "region": "ME",
                "postal_code": "04102",
                "emergency_contact_name": f"Pat {last}",
                "emergency_contact_phone": "(555) 019-0000",
                "emergency_contact_relationship": "Partner" if not minor else "Parent",
                "guardian_name": f"Morgan {last}" if minor else "",
                "guardian_relationship": "Mother" if minor else "",
                "guardian_phone": "(555) 019-1111" if minor else "",
                "user": user,
            },
        )
    _seed_family()
    if stdout:
        stdout.write(
            f"core: {Location.objects.count()} location, {Room.objects.count()} rooms, "
            f"{Practitioner.objects.count()} practitioners, {Patient.objects.count()} patients"
        )
