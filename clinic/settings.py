"""One settings module for every environment, configured by environment variables.

DEBUG defaults to on for a local `make run`; production sets DEBUG=0, a real SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# The key used only for local development and tests; production refuses it.
DEVELOPMENT_SECRET_KEY = "dev-insecure-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY) or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (DEBUG=0). "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
if not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "csp",
    "clinic",
    "intake",
    "scheduling",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinic.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switch's cookie, else the browser's Accept-Language, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in patient with no language cookie gets the language stored on their record.
    "clinic.middleware.PatientLanguageMiddleware",
    # Before any view (and CSRF's view check) reads a value: a NUL byte anywhere gets a 400 that says so.
    "clinic.middleware.RefuseNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: end idle/expired sessions first, then send un-enrolled staff to set up TOTP.
    "clinic.middleware.PrivatePagesMiddleware",
    "clinic.middleware.SessionLimitsMiddleware",
    "clinic.middleware.StaffTwoFactorMiddleware",
    "clinic.db_unavailable.DatabaseUnavailableMiddleware",
    # Writes the one audit row of a request that read patient data (clinic/audit.py).
    "clinic.audit.AuditReadsMiddleware",
]

ROOT_URLCONF = "clinic.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
# Production on PostgreSQL keeps each worker's connection for its next requests (60 s: opening one costs more
# than most requests' queries, see benchmarks/README.md), checked before reuse after an error. CONN_MAX_AGE=0
# (e.g. behind PgBouncer's transaction pooling) opens one per request, as development and SQLite do.
_PRODUCTION_POSTGRES = not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60 if _PRODUCTION_POSTGRES else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE makes concurrent writers queue for the
    # write lock at BEGIN instead of failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "clinic:home_for_role"
ACCOUNT_LOGOUT_REDIRECT_URL = "clinic:index"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Patients may log in before verifying; unverified accounts are limited elsewhere (bookings).
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Lockout: after this many failed logins for one account (e-mail tried, whether or not it exists) or from
# one IP address within CLINIC_LOCKOUT_MINUTES, further attempts are refused until the window has passed.
# The counters live in the shared cache (CACHES below), so every app server sees the same counts.
CLINIC_LOGIN_FAILURES_PER_ACCOUNT = env_int("CLINIC_LOGIN_FAILURES_PER_ACCOUNT", 5)
CLINIC_LOGIN_FAILURES_PER_IP = env_int("CLINIC_LOGIN_FAILURES_PER_IP", 20)
CLINIC_LOCKOUT_MINUTES = env_int("CLINIC_LOCKOUT_MINUTES", 15)
# The per-account counter is keyed on the e-mail address alone, lower-cased (clinic.adapters), never on the
# Host header: another port, a trailing dot or capitals in the host name count against the same account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{CLINIC_LOGIN_FAILURES_PER_IP}/{CLINIC_LOCKOUT_MINUTES}m/ip,"
        f"{CLINIC_LOGIN_FAILURES_PER_ACCOUNT}/{CLINIC_LOCKOUT_MINUTES}m/key"
    ),
    # Sign-up is limited per IP (there is no account yet to count).
    "signup": os.environ.get("SIGNUP_RATE_LIMIT", "10/h/ip"),
}
ACCOUNT_ADAPTER = "clinic.adapters.ClinicAccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("CLINIC_NAME", "Harbour Street Chiropractic")
# Accept the code of the 30-second period before or after as well: phone clocks drift and people type slowly
# (RFC 6238 section 5.2 recommends allowing one step). A code is then accepted for up to 90 seconds, so the
# forms below remember a used code for that whole window ((2 x tolerance + 1) periods, in the shared cache)
# and refuse it a second time; allauth alone would remember it for one period only (see clinic/totp.py).
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "clinic.totp.OnceOnlyAuthenticateForm",
    "reauthenticate": "clinic.totp.OnceOnlyReauthenticateForm",
}
MFA_ADAPTER = "clinic.adapters.ClinicMFAAdapter"
# Staff sessions end after this many minutes without a request, and every session after
# CLINIC_SESSION_MAX_HOURS whatever the activity (see clinic/middleware.py).
CLINIC_STAFF_IDLE_MINUTES = env_int("CLINIC_STAFF_IDLE_MINUTES", 15)
CLINIC_SESSION_MAX_HOURS = env_int("CLINIC_SESSION_MAX_HOURS", 12)

# How many proxies in front of the app server append to X-Forwarded-For (0: none, REMOTE_ADDR is the client).
# clinic.client_ip.client_ip is the one answer to "the client's address": the audit trail, the per-address
# lockout, allauth (rate limits, the sessions list) and django-ratelimit (online booking) all use it, so a
# forged X-Forwarded-For is ignored at 0 and, behind the README's proxy (1), each client is counted apart.
CLINIC_TRUSTED_PROXY_COUNT = env_int("CLINIC_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = CLINIC_TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
RATELIMIT_IP_META_KEY = "clinic.client_ip.client_ip"

# --- Cache (shared by every app server: login-failure counters, used TOTP codes, booking rate limits) --
# The database cache needs no extra service; its table is created by clinic's migration 0003.
# CACHE_BACKEND and CACHE_LOCATION switch it (e.g. to Redis) when the database becomes the bottleneck.
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "clinic_cache"),
    }
}

# --- Internationalisation and time ----------------------------------------------------------
# English is the default; the patient side is complete in Spanish too (issue 24). A language the site does not
# offer (in the switch, the cookie or Accept-Language) falls back to English and never reaches the database.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "clinic_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@example.com")
# A send that hangs longer than this fails (and is retried) instead of blocking the worker; it must stay well
# under CLINIC_NOTICE_RETRY_MINUTES, or the sweep could hand a notice still being sent to another worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# django-ratelimit warns that the database cache increments counters without an atomic update: two
# simultaneous requests may both be counted as one. For a clinic's booking volume a limit that is off by one
# under a race is acceptable; set CACHE_BACKEND to memcached or Redis to make it exact.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Background tasks (Django's Tasks API through the django-tasks backport) -----------------
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = CLINIC_SESSION_MAX_HOURS * 60 * 60  # the cookie never outlives the absolute limit
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "clinic.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said here: no window.opener across sites
# Browser features no page needs (clinic.middleware.SecurityHeadersMiddleware; also Cross-Origin-Resource-Policy).
CLINIC_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# Messages ("Saved: Alice Arnold <alice@example.com>") live in the session, not in a readable cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Style attributes only (practitioner colours on calendar blocks); no inline <style> or script.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- The clinic -----------------------------------------------------------------------------
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Harbour Street Chiropractic")
# Sign-up and password e-mails carry the clinic's name, not the host and port they were asked from.
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{CLINIC_NAME}: "
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "(555) 010-2040")
CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "frontdesk@example.com")
# Age below which a parent or guardian signs consent; depends on jurisdiction.
CLINIC_AGE_OF_CONSENT = env_int("CLINIC_AGE_OF_CONSENT", 18)
# How often the visit-note page saves a draft with unsaved changes.
CLINIC_NOTE_AUTOSAVE_SECONDS = env_int("CLINIC_NOTE_AUTOSAVE_SECONDS", 20)
# How long an intake invitation link sent by the front desk stays valid.
INTAKE_INVITATION_DAYS = env_int("INTAKE_INVITATION_DAYS", 7)

# Care plans: a plan's questionnaire is e-mailed this many hours before the visit it is due at, and its link
# works this many days; the recalls list shows patients on a plan not seen for this many weeks.
CAREPLAN_QUESTIONNAIRE_HOURS_BEFORE = env_int("CAREPLAN_QUESTIONNAIRE_HOURS_BEFORE", 48)
CAREPLAN_QUESTIONNAIRE_LINK_DAYS = env_int("CAREPLAN_QUESTIONNAIRE_LINK_DAYS", 14)
CAREPLAN_RECALL_WEEKS = env_int("CAREPLAN_RECALL_WEEKS", 6)

# --- Scheduling -----------------------------------------------------------------------------
# Free start times are offered on this grid (minutes past the hour, local wall clock).
SCHEDULING_GRID_MINUTES = env_int("SCHEDULING_GRID_MINUTES", 15)
# Online offers start at least this long from now (the front desk may book sooner).
SCHEDULING_MIN_NOTICE_MINUTES = env_int("SCHEDULING_MIN_NOTICE_MINUTES", 120)
# No time is offered further ahead than this many days.
SCHEDULING_HORIZON_DAYS = env_int("SCHEDULING_HORIZON_DAYS", 90)

# --- Online booking, the patient's account, notices -------------------------------------------
# Patients may cancel or reschedule online until this many hours before the start; then they call.
CLINIC_CANCELLATION_HOURS = env_int("CLINIC_CANCELLATION_HOURS", 24)
# The front desk can check a patient in from this many minutes before the start (today's appointments only).
CLINIC_CHECK_IN_EARLY_MINUTES = env_int("CLINIC_CHECK_IN_EARLY_MINUTES", 60)
# The reminder e-mail goes out this many hours before the start.
CLINIC_REMINDER_HOURS = env_int("CLINIC_REMINDER_HOURS", 24)
# An account whose e-mail address is not verified holds at most this many future online bookings.
BOOKING_UNVERIFIED_MAX = env_int("BOOKING_UNVERIFIED_MAX", 2)
# django-ratelimit rates for booking, rescheduling and cancelling online (count/period: s, m, h, d).
BOOKING_RATE_LIMIT_IP = os.environ.get("BOOKING_RATE_LIMIT_IP", "20/h")
BOOKING_RATE_LIMIT_USER = os.environ.get("BOOKING_RATE_LIMIT_USER", "10/h")
# A practitioner's calendar feed, per address: calendars poll every 15 minutes to a few hours.
CALENDAR_FEED_RATE_LIMIT = os.environ.get("CALENDAR_FEED_RATE_LIMIT", "60/h")
# Links in e-mails are absolute: the address patients reach the site at.
CLINIC_SITE_URL = os.environ.get("CLINIC_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A notice neither sent nor refused this many minutes after it was queued or claimed (the worker died or
# the mail server failed) is handed to the worker again by the sweep; after CLINIC_NOTICE_MAX_ATTEMPTS
# tries it is marked failed for the front desk to call the patient.
CLINIC_NOTICE_RETRY_MINUTES = env_int("CLINIC_NOTICE_RETRY_MINUTES", 5)
CLINIC_NOTICE_MAX_ATTEMPTS = env_int("CLINIC_NOTICE_MAX_ATTEMPTS", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 400) is one line with its reason, not a traceback: it is expected, not a bug.
    "filters": {"client_errors_on_one_line": {"()": "clinic.log_filters.ClientErrorsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_on_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Backups (`manage.py backup_database`, PostgreSQL; see deploy/README.md) --------------------------
# Where the dated, compressed dumps go (and their manifests); the nightly timer runs the command.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", "/var/backups/clinic"))
# Kept after each backup: the newest dump of each of the last BACKUP_KEEP_DAILY days that have one, and the
# newest of each of the last BACKUP_KEEP_WEEKLY ISO weeks; older dumps are deleted.
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 8)
# Each dump is restored into this scratch database and compared with the live one; empty means
# "<database name>_restore_check". The database role needs CREATEDB for it.
BACKUP_VERIFY_DATABASE = os.environ.get("BACKUP_VERIFY_DATABASE", "")
