"""Duplicate patients on the screen (issue 13, item 15): the desk registering someone already on file is shown
the existing record before anything is saved, and a clinic admin merges two records from the patient page."""

import datetime as dt
import re

from playwright.sync_api import expect

from clinic.models import Patient
from tests.clinic.factories import PatientFactory
from tests.e2e.harness import click_through, login, shoot, visit


def test_the_desk_is_offered_the_existing_record(page, front_desk):
    mia = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=dt.date(1979, 3, 8), phone="")
    login(page, front_desk)
    visit(page, "/patients/new/")
    page.get_by_label("First name").fill("Mia")
    page.get_by_label("Last name").fill("Moreno")
    page.get_by_label("Date of birth").fill("1979-03-08")
    click_through(page, page.get_by_role("button", name="Save"))
    warning = page.get_by_role("alert").filter(has_text="This patient may already be registered")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name="Mia Moreno")).to_have_attribute("href", f"/patients/{mia.pk}/")
    expect(page.get_by_label("First name")).to_have_value("Mia")  # nothing typed is lost
    assert Patient.objects.filter(last_name="Moreno").count() == 1
    shoot(page, "duplicates-warning-on-registering")
    click_through(page, page.get_by_role("button", name="This is a different person: register them"))
    expect(page.get_by_role("status")).to_contain_text("Mia Moreno is registered.")
    assert Patient.objects.filter(last_name="Moreno").count() == 2


def test_an_admin_merges_the_duplicate(page, clinic_admin, practitioner_a):
    from tests.scheduling.factories import AppointmentFactory

    born = dt.date(1979, 3, 8)
    survivor = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=born, phone="")
    duplicate = PatientFactory(first_name="Mia", last_name="Morena", date_of_birth=born, phone="")
    AppointmentFactory(patient=duplicate, practitioner=practitioner_a)
    login(page, clinic_admin)
    visit(page, f"/patients/{survivor.pk}/")
    click_through(page, page.get_by_role("link", name="Merge a duplicate"))
    expect(page.get_by_role("link", name="Mia Morena")).to_be_visible()
    page.get_by_label("Patient number of the duplicate record").fill(str(duplicate.pk))
    page.get_by_label(re.compile("I have checked these are the same person")).check()
    shoot(page, "duplicates-merge-page")
    click_through(page, page.get_by_role("button", name="Merge into Mia Moreno"))
    expect(page.get_by_role("status")).to_contain_text(f"Mia Morena (#{duplicate.pk}) is merged into this record")
    assert survivor.appointments.count() == 1
    visit(page, f"/patients/{duplicate.pk}/")
    expect(page.get_by_text(f"This record was merged into patient #{survivor.pk}")).to_be_visible()
