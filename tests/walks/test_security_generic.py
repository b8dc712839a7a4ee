"""Generic security tests: they walk every URL pattern, so views added later are covered without new tests.

- CSRF: a POST without a token is refused (403) by every URL, for every role; with a token it is not
  refused for CSRF reasons and never answers 500.
- Methods other than GET/POST are refused everywhere.
- Object level: patient B's login never sees patient A's name on any object URL.
- Audit: every patient-data page (PHI_URLS) leaves exactly one audit row per view.
- XSS: a script payload in every free-text Patient field is escaped on every page any role can open.
- Hypothesis: random input to the patient form never raises and invalid input gets field errors; random
  values in every POST form found on every page (booking, intake, consent, notes...) never give a 500.
- Error pages: no stack trace and no patient data with DEBUG off.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.db import models
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clinic.forms import PatientForm
from clinic.models import AuditEvent, Patient
from tests.walks import test_url_matrix as matrix
from tests.walks.html_forms import forms_on
from tests.walks.test_url_matrix import MATRIX, OUR_NAMESPACES, PHI_LIST_URLS, PHI_URLS, ROLES, kwargs_for

cast = matrix.cast  # the matrix's cast fixture (patient A's objects), reused here

CSRF_TEMPLATE = "errors/403_csrf.html"
# allauth's own pages (login, logout, password, two-factor, sessions) are walked too.
ALLAUTH_PREFIXES = ("account_", "mfa_", "usersessions_")


def all_post_targets():
    """Every named URL of our namespaces and of allauth that can be reversed with the matrix's kwargs."""
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                if namespace in OUR_NAMESPACES:
                    names.add(f"{namespace}:{p.name}")
                elif namespace is None and p.name.startswith(ALLAUTH_PREFIXES):
                    names.add(p.name)

    walk(get_resolver().url_patterns, None)
    return sorted(names)


# allauth URLs that carry a key from an e-mail: a made-up key is enough to test the CSRF check.
ALLAUTH_KWARGS = {
    "account_confirm_email": {"key": "made-up-key"},
    "account_reset_password_from_key": {"uidb36": "1", "key": "made-up-key"},
}


def url_for(name, cast):
    try:
        return reverse(name, kwargs=ALLAUTH_KWARGS.get(name) or kwargs_for(name, cast))
    except NoReverseMatch:
        return None


def client_as(role, cast, **kwargs):
    client = Client(**kwargs)
    if cast[role] is not None:
        client.force_login(cast[role])
    return client


def post_target_url(name, cast) -> str:
    url = url_for(name, cast)
    assert url is not None, f"add URL kwargs for {name} to URL_KWARGS (test_url_matrix.py) or ALLAUTH_KWARGS"
    return url


# Each test below loops over the roles inside one test (one cast per URL, not one per URL and role): the
# walk grows with every view added, and the suite has to stay quick.


@pytest.mark.django_db
@pytest.mark.parametrize("name", all_post_targets())
def test_post_without_csrf_token_is_refused(cast, name):
    url = post_target_url(name, cast)
    for role in ROLES:
        client = client_as(role, cast, enforce_csrf_checks=True)
        before = AuditEvent.objects.exclude(action__in=["login", "denied"]).count()
        response = client.post(url, {"first_name": "Changed"})
        assert response.status_code == 403, f"{role} POST {name} without a token: {response.status_code}"
        assert CSRF_TEMPLATE in [t.name for t in response.templates], f"{role} POST {name}: not refused by CSRF"
        assert AuditEvent.objects.exclude(action__in=["login", "denied"]).count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", all_post_targets())
def test_post_with_csrf_token_passes_the_check_and_never_500s(cast, name):
    url = post_target_url(name, cast)
    for role in ROLES:
        client = client_as(role, cast, enforce_csrf_checks=True, raise_request_exception=False)
        token = _get_new_csrf_string()
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        response = client.post(url, {}, headers={"X-CSRFToken": token})
        assert CSRF_TEMPLATE not in [t.name for t in response.templates], f"{role} POST {name}: token refused"
        assert response.status_code < 500, f"{role} POST {name} with empty data: {response.status_code}"


OTHER_METHODS = ["put", "patch", "delete"]
# name -> methods a view really accepts besides GET/POST (none yet).
ACCEPTS_OTHER_METHODS: dict[str, set[str]] = {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_other_methods_are_refused(cast, name):
    url = reverse(name, kwargs=kwargs_for(name, cast))
    for role in ROLES:
        client = client_as(role, cast)
        for method in OTHER_METHODS:
            if method in ACCEPTS_OTHER_METHODS.get(name, set()):
                continue
            response = getattr(client, method)(url)
            assert response.status_code in {302, 403, 404, 405}, (
                f"{role} {method.upper()} {name}: {response.status_code}"
            )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_another_patient_never_sees_patient_a(client, cast, patient_b, name):
    """Object URLs point at patient A's rows; patient B's login must learn nothing about A from any of them."""
    client.force_login(patient_b.user)
    response = client.get(reverse(name, kwargs=kwargs_for(name, cast)))
    assert response.status_code < 500
    body = response.content.decode(errors="replace")
    patient_a = cast["objects"]["patient"]
    assert patient_a.last_name not in body, f"patient B saw patient A's name on {name}"
    assert patient_a.email not in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PHI_URLS))
@pytest.mark.parametrize("role", ROLES)
def test_each_patient_data_page_writes_exactly_one_audit_row(client, cast, name, role):
    if MATRIX[name][role] != 200:
        pytest.skip(f"{role} may not open {name}")
    user = cast[role]
    client.force_login(user)
    url = reverse(name, kwargs=kwargs_for(name, cast))  # building the objects may audit: do it first
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.get(url).status_code == 200
    new = AuditEvent.objects.exclude(pk__in=before)
    assert new.count() == 1, f"{role} GET {name} left {new.count()} audit rows"
    event = new.get()
    assert (event.actor, event.patient, event.action) == (user, cast["objects"]["patient"], "view")
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PHI_LIST_URLS))
def test_each_page_listing_patients_writes_exactly_one_audit_row(cast, name):
    url = reverse(name, kwargs=kwargs_for(name, cast))
    for role in ROLES:
        if MATRIX[name][role] != 200:
            continue
        client = client_as(role, cast)
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        assert client.get(url).status_code == 200
        new = AuditEvent.objects.exclude(pk__in=before)
        assert new.count() == 1, f"{role} GET {name} left {new.count()} audit rows"
        event = new.get()
        assert (event.actor, event.action, event.patient) == (cast[role], "view", None)
        assert event.detail and event.ip_address == "127.0.0.1"


# --- XSS ----------------------------------------------------------------------------------------------------


def free_text_fields(model):
    """Text a person can type freely: no choices, no format validator (phone numbers, e-mail addresses)."""
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField)
        and not f.choices
        and f.editable
        and not [
            v for v in f.validators if type(v).__name__ not in {"MaxLengthValidator", "ProhibitNullCharactersValidator"}
        ]
    ]


# Short enough for the narrowest text column (postal code, 20); the quote breaks out of attribute values.
PAYLOAD = '"><script>x</script>'


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_script_in_every_patient_text_field_is_escaped_on_every_page(cast, role):
    patient = cast["objects"]["patient"]
    fields = free_text_fields(Patient)
    assert {"first_name", "last_name", "guardian_name", "emergency_contact_name"} <= set(fields)
    pages = [reverse(n, kwargs=kwargs_for(n, cast)) for n in sorted(MATRIX) if MATRIX[n][role] == 200]
    Patient.objects.filter(pk=patient.pk).update(**dict.fromkeys(fields, PAYLOAD))
    client = client_as(role, cast)
    pages.append(reverse("clinic:patient_search") + "?q=script")
    shown_somewhere = False
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or response["Content-Type"] == "application/pdf":
            continue  # a PDF holds no markup to escape
        body = response.content.decode()
        assert "<script>x</script>" not in body, f"unescaped script on {url} for {role}"
        shown_somewhere |= "&lt;script&gt;x&lt;/script&gt;" in body
    assert shown_somewhere, "the payload was not shown on any page: the test would prove nothing"


# --- Hypothesis: the patient form ---------------------------------------------------------------------------

phone = st.one_of(st.from_regex(r"[0-9+()\-. ]{7,20}", fullmatch=True), st.text(max_size=40))
text = st.text(max_size=250)
patient_data = st.fixed_dictionaries(
    {
        "first_name": text,
        "last_name": text,
        "preferred_name": text,
        "date_of_birth": st.one_of(
            st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
            st.text(max_size=20),
        ),
        "sex": st.one_of(st.sampled_from([c for c, _ in Patient.Sex.choices]), st.text(max_size=15)),
        "email": st.one_of(st.emails(), st.text(max_size=60)),
        "phone": phone,
        "address_line1": text,
        "city": text,
        "postal_code": st.text(max_size=30),
        "emergency_contact_phone": phone,
        "guardian_name": text,
        "guardian_phone": phone,
    }
)


@pytest.mark.django_db
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=patient_data)
def test_patient_form_never_raises_and_explains_invalid_input(data):
    form = PatientForm(data)
    if form.is_valid():
        Patient(**form.cleaned_data).full_clean()  # the model agrees with the form
    else:
        assert form.errors
        for field, messages in form.errors.items():
            assert field == "__all__" or field in form.fields
            assert all(str(m).strip() for m in messages)


@pytest.mark.django_db
@hypothesis_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=patient_data)
def test_patient_create_view_never_500s(front_desk, data):
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    response = client.post(reverse("clinic:patient_create"), data)
    if any("\x00" in str(value) for value in data.values()):
        assert response.status_code == 400  # refused whole, with the clear page of the NUL-byte guard
    else:
        assert response.status_code in {200, 302}


# --- Error pages with DEBUG off -----------------------------------------------------------------------------


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.clinic.error_urls"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 403, 500])
def test_error_pages_show_no_trace_and_no_patient_data(production_errors, front_desk, status):
    from tests.clinic.error_urls import SECRET

    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    response = client.get(f"/test-errors/{status}/")
    assert response.status_code == status
    body = response.content.decode()
    assert "Traceback" not in body and 'File "' not in body
    assert SECRET not in body and "Arnold" not in body
    assert f"errors/{status}.html" in [t.name for t in response.templates] or status == 500


@pytest.mark.django_db
def test_404_for_another_patients_record_shows_nothing_of_it(production_errors, client, patient_a, patient_b):
    client.force_login(patient_a.user)
    response = client.get(reverse("clinic:patient_detail", args=[patient_b.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Berg" not in body and "Bruno" not in body
    assert "errors/404.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_500_page_is_plain_and_needs_no_database(production_errors, client):
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in all_post_targets() if ":" not in n])
def test_allauth_pages_render_in_our_layout(cast, name):
    for role in ROLES:
        client = client_as(role, cast, raise_request_exception=False)
        response = client.get(url_for(name, cast))
        assert response.status_code < 500, f"{role} GET {name}: {response.status_code}"
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            templates = [t.name for t in response.templates]
            assert "allauth/layouts/base.html" in templates and "base.html" in templates, f"{role} GET {name}"


# --- Hypothesis on every form of every page -----------------------------------------------------------------


def post_forms(html):
    """The page's POST forms, with per field name the values the page offers."""
    return [
        {**form, "fields": {name: field["options"] for name, field in form["fields"].items()}}
        for form in forms_on(html)
        if form["method"] == "post"
    ]


def field_values(options):
    choices = [st.text(max_size=40), st.integers(-5, 10**7).map(str), st.just("")]
    choices.append(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)).map(dt.date.isoformat))
    if options:
        choices.append(st.sampled_from(options))
    return st.one_of(*choices)


FUZZ_ROLE_ORDER = ["patient", "front_desk", "practitioner", "admin", "anonymous"]
PAGES_WITH_A_GET = sorted(n for n in MATRIX if 200 in MATRIX[n].values())


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES_WITH_A_GET)
def test_random_input_in_every_form_never_gives_a_500(cast, name):
    """Every POST form on every page (booking, intake, consent, notes, patients...), random values: no 500."""
    role = next(r for r in FUZZ_ROLE_ORDER if MATRIX[name][r] == 200)
    client = client_as(role, cast, raise_request_exception=False)
    url = reverse(name, kwargs=kwargs_for(name, cast))
    page = client.get(url)
    if "text/html" not in page.get("Content-Type", ""):
        pytest.skip(f"{name} is not an HTML page")
    forms = post_forms(page.content.decode())
    if not forms:
        pytest.skip(f"{name} shows no POST form")

    for form in forms:
        fuzz_form(client, form["action"] or url, form["fields"], f"{role} POST, form on {name}")


def fuzz_form(client, target, fields, label):
    strategy = st.fixed_dictionaries({field: field_values(options) for field, options in fields.items()})

    @hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=strategy)
    def post_random(data):
        response = client.post(target, data)
        assert response.status_code < 500, f"{label} {target} with {data!r}: {response.status_code}"

    post_random()
