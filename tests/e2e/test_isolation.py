"""Isolation: a patient who types another patient's URLs sees nothing of theirs, and changes nothing."""

from playwright.sync_api import expect

from tests.e2e.harness import click_through, login, shoot, visit


def assert_nothing_of(page, patient):
    text = page.content()
    for secret in (patient.first_name, patient.last_name, patient.email, patient.phone, "1985"):
        assert secret not in text, f"{secret!r} of {patient.full_name} leaked into {page.url}"


def test_patient_b_cannot_open_or_edit_patient_a(page, patient_a, patient_b):
    login(page, patient_b.user)

    visit(page, f"/patients/{patient_a.pk}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_nothing_of(page, patient_a)
    shoot(page, "isolation-not-found")

    visit(page, f"/patients/{patient_a.pk}/edit/", status=404)
    assert_nothing_of(page, patient_a)

    # A forged post (with B's own valid CSRF token) changes nothing either.
    visit(page, f"/patients/{patient_b.pk}/edit/")
    token = page.locator("main input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(
        f"/patients/{patient_a.pk}/edit/",
        form={
            "csrfmiddlewaretoken": token,
            "first_name": "Hacked",
            "last_name": "Arnold",
            "date_of_birth": "1985-06-15",
        },
        headers={"Referer": page.url},
    )
    assert response.status == 404
    patient_a.refresh_from_db()
    assert patient_a.first_name == "Alice"


def test_patient_sees_their_own_details_from_their_account(page, live_server, patient_a):
    login(page, patient_a.user)
    click_through(page, page.get_by_role("link", name="My details"))
    assert page.url == f"{live_server.url}/patients/{patient_a.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Arnold")
    # Staff-only pages answer "not allowed" without leaking anything.
    visit(page, "/patients/", status=403)
    visit(page, "/frontdesk/", status=403)


def test_patient_b_sees_nothing_of_patient_a_intake_or_consent(page, patient_a, patient_b):
    from intake.models import ConsentSignature
    from tests.intake import factories as intake

    version = intake.consent_version()
    submission = intake.submitted(patient_a)
    signature = intake.sign(patient_a, version, signer_name="Alice Arnold")
    login(page, patient_b.user)

    for path in (f"/intake/submissions/{submission.pk}/", f"/intake/consent/{signature.pk}/print/"):
        visit(page, path, status=404)
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        assert_nothing_of(page, patient_a)
    shoot(page, "isolation-intake-not-found")
    # The staff pages about A's intake are not for patients at all.
    for path in (f"/intake/patients/{patient_a.pk}/", f"/intake/patients/{patient_a.pk}/summary/"):
        visit(page, path, status=403)
        assert_nothing_of(page, patient_a)

    # Withdrawing A's consent: the link is a form (GET is refused), and a forged post with B's own valid
    # CSRF token finds nothing.
    assert page.request.get(f"/intake/consent/{signature.pk}/withdraw/").status == 405
    visit(page, "/intake/")
    expect(page.get_by_role("main")).to_contain_text(patient_b.full_name)
    assert_nothing_of(page, patient_a)
    token = page.locator("main input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"/intake/consent/{signature.pk}/withdraw/",
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert response.status == 404
    assert ConsentSignature.objects.get(pk=signature.pk).withdrawn_at is None
