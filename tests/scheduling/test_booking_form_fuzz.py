"""Hypothesis on the booking forms and pages (strategies: tests/walks/form_fuzz.py): online booking, the
patient's reschedule and cancel, the front desk's booking; a form never raises, a page never answers 500."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from scheduling.forms import (
    AboutYouForm,
    AppointmentBookForm,
    BookConfirmForm,
    OnlineCancelForm,
    OnlineMoveForm,
    slot_value,
)
from tests.clinic.factories import LocationFactory, RoomFactory, UserFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory
from tests.walks.form_fuzz import SETTINGS, VIEW_EXAMPLES, assert_page_ok, check_form, data_for, post_rolled_back

FORM_BUILDERS = {
    "booking about you": lambda **kw: AboutYouForm(**kw),
    "booking confirm": lambda **kw: BookConfirmForm(**kw),
    "account cancel": lambda **kw: OnlineCancelForm(**kw),
    "account reschedule": lambda **kw: OnlineMoveForm(**kw),
    "front-desk booking": lambda **kw: AppointmentBookForm(**kw),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORM_BUILDERS))
def test_form_never_raises_and_explains_invalid_input(name):
    AppointmentTypeFactory(slug="sot-adjustment")
    RoomFactory()
    check_form(FORM_BUILDERS[name], name)


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
