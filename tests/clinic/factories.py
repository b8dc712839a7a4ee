import datetime as dt

import factory
from django.contrib.auth.models import Group

from clinic import family
from clinic.models import Location, Patient, Practitioner, Room, User
from clinic.roles import STAFF_ROLES

PASSWORD = "test-password-123"
# Every staff user made here has a TOTP authenticator with this secret (staff cannot use the site without
# one, see clinic.middleware.StaffTwoFactorMiddleware). `totp_code()` gives the current code.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The cast's names (tests/conftest.py), which tests look for in pages ("Arnold" not shown to someone else): a
# random name never takes one of them, or such a test would fail now and then (Faker has an "Arnold").
CAST_NAMES = frozenset({"Alice", "Arnold", "Bruno", "Berg", "Ada", "Adams", "Bo", "Brown"})


def _random_name(kind: str) -> factory.LazyFunction:
    """A Faker first or last name that is none of the cast's."""
    from faker import Faker

    faker = Faker()

    def pick() -> str:
        while (name := getattr(faker, kind)()) in CAST_NAMES:
            pass
        return name

    return factory.LazyFunction(pick)


def totp_code(secret: str = STAFF_TOTP_SECRET) -> str:
    """The code an authenticator app would show now (time_machine moves it with the clock)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def enrol_totp(user: User, secret: str = STAFF_TOTP_SECRET) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = _random_name("first_name")
    last_name = _random_name("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Staff get a TOTP authenticator unless `totp=False`; anyone gets one with `totp=True`."""
        if not create or extracted is False:
            return
        is_staff_member = self.is_staff or self.is_superuser or self.groups.filter(name__in=STAFF_ROLES).exists()
        if extracted or is_staff_member:
            enrol_totp(self)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Location {n}")
    address_line1 = "1 Main Street"
    city = "Portland"
    time_zone = "America/New_York"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory, roles=["Practitioner"])
    display_name = factory.Sequence(lambda n: f"Dr. Practitioner {n}")
    credentials = "DC"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = _random_name("first_name")
    last_name = _random_name("last_name")
    date_of_birth = dt.date(1985, 6, 15)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "(555) 010-1234"


def child_of(
    guardian: User, *, first_name="Theo", last_name="Arnold", date_of_birth=None, sex="", relationship="mother"
):
    """A child the guardian's account adds (through `family.dependant_add`, so the link obeys its rules): 7 years
    old unless `date_of_birth` says otherwise. Answers the child's patient record."""
    if date_of_birth is None:
        today = dt.date.today()
        date_of_birth = today.replace(year=today.year - 7)
    return family.dependant_add(
        guardian=guardian,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        relationship=relationship,
    ).dependant
