"""Hypothesis on intake's, consent's and booking's forms: strategies built from each form's own fields (valid
choices mixed with junk, fields left out), so a field added later is fuzzed too.

- Form level, a few hundred examples each: `is_valid()` never raises; an invalid form names a field of its own
  (or __all__) with a message a person can read; a valid intake answer can be stored as JSON.
- View level: the same data posted to the page, each example in a transaction that is rolled back: never a
  500; a 400/409 page carries the form errors.
"""

import datetime as dt
import json

import pytest
from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from intake.forms import STEP_FORMS, ConsentForm, OutcomeForm
from scheduling.forms import (
    AboutYouForm,
    AppointmentBookForm,
    BookConfirmForm,
    OnlineCancelForm,
    OnlineMoveForm,
    SlotField,
    slot_value,
)
from tests.clinic.factories import LocationFactory, RoomFactory, UserFactory
from tests.intake import factories as intake_factories
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

FORM_EXAMPLES = 300
VIEW_EXAMPLES = 100
SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": False}

junk = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "\x00", "<script>x</script>", "null", "1e309"]),
)


def dates():
    return st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat)


def datetimes():
    return st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")
    )


def slots(practitioner_ids):
    moments = st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
    )
    ids = st.one_of(st.sampled_from(practitioner_ids or [1]), st.integers(-3, 10**12))
    return st.builds(slot_value, moments, ids)


def value_for(field: forms.Field, practitioner_ids=()):
    """Valid-looking values for this field type, mixed with junk."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        if isinstance(field, forms.ModelMultipleChoiceField):
            options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
        else:
            options = [str(value) for value, _label in field.choices]
        return st.one_of(st.lists(st.sampled_from(options or [""]), max_size=4), st.lists(junk, max_size=3))
    if isinstance(field, forms.ModelChoiceField):
        options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
        return st.one_of(st.sampled_from(options or [""]), st.integers(-5, 10**12).map(str), junk)
    if isinstance(field, forms.ChoiceField):
        options = [str(value) for value, _label in field.choices]
        return st.one_of(st.sampled_from(options or [""]), junk)
    if isinstance(field, forms.DateTimeField):
        return st.one_of(datetimes(), junk)
    if isinstance(field, forms.DateField):
        return st.one_of(dates(), junk)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "true", "false", ""]), junk)
    if isinstance(field, SlotField):
        return st.one_of(slots(list(practitioner_ids)), junk)
    if isinstance(field, forms.EmailField):
        return st.one_of(st.emails().filter(lambda e: len(e) <= 254), junk)
    size = (getattr(field, "max_length", None) or 300) + 5
    return st.one_of(st.text(max_size=size), junk)


def data_for(form: forms.Form, practitioner_ids=(), fixed=None):
    """Every field of the form, each maybe left out; `fixed` values are always sent as given."""
    names = {form.add_prefix(name): value_for(field, practitioner_ids) for name, field in form.fields.items()}
    fixed = fixed or {}
    for name in fixed:
        names.pop(name, None)
    return st.fixed_dictionaries({k: st.just(v) for k, v in fixed.items()}, optional=names)


def assert_explained(form: forms.Form, label: str):
    assert form.errors, f"{label}: invalid but no error"
    for name, messages in form.errors.items():
        assert name == "__all__" or name in form.fields, f"{label}: error on unknown field {name}"
        assert all(str(m).strip() for m in messages), f"{label}: empty message on {name}"


# --- Form level ---------------------------------------------------------------------------------------------


@pytest.fixture
def intake_world(db):
    questionnaires = intake_factories.load_questionnaires()
    version = intake_factories.consent_version()
    return {"questionnaire": questionnaires["ndi"], "version": version}


def _form_builders(world):
    return {
        **{f"intake {step}": (lambda cls=cls, **kw: cls(**kw)) for step, cls in STEP_FORMS.items()},
        "intake outcome": lambda **kw: OutcomeForm(questionnaire=world["questionnaire"], **kw),
        "consent adult": lambda **kw: ConsentForm(version=world["version"], minor=False, **kw),
        "consent minor": lambda **kw: ConsentForm(version=world["version"], minor=True, **kw),
        "booking about you": lambda **kw: AboutYouForm(**kw),
        "booking confirm": lambda **kw: BookConfirmForm(**kw),
        "account cancel": lambda **kw: OnlineCancelForm(**kw),
        "account reschedule": lambda **kw: OnlineMoveForm(**kw),
        "front-desk booking": lambda **kw: AppointmentBookForm(**kw),
    }


FORM_NAMES = [
    "intake about",
    "intake visit",
    "intake health",
    "intake redflags",
    "intake outcome",
    "consent adult",
    "consent minor",
    "booking about you",
    "booking confirm",
    "account cancel",
    "account reschedule",
    "front-desk booking",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_never_raises_and_explains_invalid_input(intake_world, name):
    AppointmentTypeFactory(slug="sot-adjustment")
    RoomFactory()
    build = _form_builders(intake_world)[name]

    @hypothesis_settings(max_examples=FORM_EXAMPLES, **SETTINGS)
    @given(data=data_for(build()))
    def check(data):
        form = build(data=data)
        if form.is_valid():
            if name.startswith("intake"):
                json.dumps(form.cleaned_data, cls=DjangoJSONEncoder)  # stored as the step's answers
        else:
            assert_explained(form, name)

    check()


def test_every_form_is_fuzzed():
    assert set(FORM_NAMES) == set(_form_builders({"questionnaire": None, "version": None}))


# --- View level ---------------------------------------------------------------------------------------------


def post_rolled_back(client, url, data):
    """Post, then roll back whatever the view wrote, so examples do not see each other's rows."""
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def assert_page_ok(response, form_keys, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if response.status_code == 400 and "NUL character" in response.content.decode(errors="replace"):
        return  # refused whole by the NUL-byte guard (clinic.middleware), with its own clear page
    if response.status_code in (400, 409):
        shown = [response.context[k] for k in form_keys if response.context.get(k) is not None]
        assert any(f.errors for f in shown), f"{label}: refused without a field error"


@pytest.fixture
def booking_world(db, settings, patient_a, practitioner_a):
    settings.BOOKING_RATE_LIMIT_IP = settings.BOOKING_RATE_LIMIT_USER = "100000/h"
    location = LocationFactory()
    RoomFactory(location=location)
    for weekday in range(7):
        WorkingHoursFactory(practitioner=practitioner_a, location=location, weekday=weekday)
    appointment_type = AppointmentTypeFactory(slug="sot-adjustment", bookable_online=True, requires_consent=False)
    future = dt.datetime.now(dt.UTC).replace(microsecond=0, second=0, minute=0) + dt.timedelta(days=10)
    appointment = AppointmentFactory(
        patient=patient_a, practitioner=practitioner_a, appointment_type=appointment_type, start=future
    )
    return {"type": appointment_type, "appointment": appointment, "practitioner": practitioner_a}


@pytest.mark.django_db
def test_intake_steps_never_500(intake_world, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    intake_factories.draft(patient_a)
    strategies = [
        st.tuples(st.just(step), data_for(cls() if step != "outcome" else OutcomeForm(questionnaire=None)))
        for step, cls in STEP_FORMS.items()
    ]

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(case=st.one_of(*strategies))
    def check(case):
        step, data = case
        response = post_rolled_back(client, reverse("intake:intake_step", args=[step]), data)
        assert_page_ok(response, ["form"], f"intake step {step} {data!r}")

    check()


@pytest.mark.django_db
def test_consent_form_never_500s(intake_world, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    form = ConsentForm(version=intake_world["version"], minor=patient_a.is_minor())

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(data=st.one_of(data_for(form), data_for(form, fixed={"text_sha256": intake_world["version"].sha256})))
    def check(data):
        response = post_rolled_back(client, reverse("intake:consent_sign"), data)
        assert_page_ok(response, ["form"], f"consent {data!r}")

    check()


@pytest.mark.django_db
def test_online_booking_confirm_never_500s(booking_world):
    """A new account (no patient yet) confirms a held time: the about-you and slot fields get random values."""
    user = UserFactory(email="new@example.com")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    start = booking_world["appointment"].start + dt.timedelta(hours=1)
    held = {"type": "sot-adjustment", "any": False, "slot": slot_value(start, booking_world["practitioner"].pk)}
    session = client.session
    session["online_booking"] = held
    session.save()
    ids = [booking_world["practitioner"].pk]
    strategy = st.one_of(
        data_for(AboutYouForm(prefix="about"), ids).flatmap(lambda a: data_for(BookConfirmForm(), ids).map(a.__or__)),
    )

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(data=strategy)
    def check(data):
        response = post_rolled_back(client, reverse("scheduling:book_confirm"), data)
        assert_page_ok(response, ["form", "about"], f"book confirm {data!r}")
        if response.status_code == 302:
            # A success ends the hold; put it back for the next example (the booking itself was rolled back).
            s = client.session
            s["online_booking"] = held
            s.save()

    check()


@pytest.mark.django_db
def test_account_reschedule_and_cancel_never_500(booking_world, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    pk = booking_world["appointment"].pk
    ids = [booking_world["practitioner"].pk]
    cases = st.one_of(
        st.tuples(st.just("scheduling:account_reschedule"), data_for(OnlineMoveForm(), ids), st.just(["form"])),
        st.tuples(st.just("scheduling:account_cancel"), data_for(OnlineCancelForm(), ids), st.just(["cancel_form"])),
    )

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(case=cases)
    def check(case):
        name, data, keys = case
        response = post_rolled_back(client, reverse(name, args=[pk]), data)
        assert_page_ok(response, keys, f"{name} {data!r}")

    check()


@pytest.mark.django_db
def test_front_desk_booking_never_500s(booking_world, front_desk):
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    ids = [booking_world["practitioner"].pk]

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(data=data_for(AppointmentBookForm(), ids))
    def check(data):
        response = post_rolled_back(client, reverse("scheduling:appointment_book"), data)
        assert_page_ok(response, ["form"], f"front-desk booking {data!r}")

    check()
