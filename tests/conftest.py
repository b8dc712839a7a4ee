"""The shared cast: two patients, a front-desk user, two practitioners and a clinic admin."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.clinic.factories import PatientFactory, PractitionerFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_language_left_on():
    """A Spanish request leaves its language active in the thread; the next test starts in the default."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def patient_a(db):
    return PatientFactory(first_name="Alice", last_name="Arnold", user=UserFactory(email="alice@example.com"))


@pytest.fixture
def patient_b(db):
    return PatientFactory(first_name="Bruno", last_name="Berg", user=UserFactory(email="bruno@example.com"))


@pytest.fixture
def front_desk(db):
    return UserFactory(email="desk@example.com", roles=["Front desk"])


@pytest.fixture
def practitioner_a(db):
    return PractitionerFactory(display_name="Dr. Ada Adams", user__email="ada@example.com")


@pytest.fixture
def practitioner_b(db):
    return PractitionerFactory(display_name="Dr. Bo Brown", user__email="bo@example.com")


@pytest.fixture
def clinic_admin(db):
    return UserFactory(email="boss@example.com", roles=["Clinic admin"], is_staff=True)


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(user)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


requires_postgres = pytest.mark.skipif(
    not settings.IS_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite has no exclusion constraints or triggers",
)
