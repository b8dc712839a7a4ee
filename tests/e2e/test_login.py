"""Each role logs in through the login form and lands on its own home."""

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import click_through, login, shoot, visit


@pytest.mark.parametrize(
    ("who", "home", "title"),
    [
        ("patient_a", "/account/", "My appointments"),
        ("front_desk", "/frontdesk/", "Front desk"),
        ("practitioner_a", "/practitioner/", "My day"),
        ("clinic_admin", "/admin/", "Site administration"),
    ],
)
def test_each_role_logs_in_and_lands_on_its_home(page, live_server, request, who, home, title):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)

    login(page, user)

    assert page.url == live_server.url + home
    assert page.title().startswith(title), page.title()
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    shoot(page, f"login-{who}-home")


def test_wrong_password_keeps_the_user_on_the_login_page_with_a_message(page, front_desk):
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(front_desk.email)
    page.get_by_label("Password").fill("not-the-password")
    click_through(page, page.get_by_role("button", name="Sign In"))
    assert "/accounts/login/" in page.url
    assert page.get_by_text("not correct").is_visible()
    assert page.get_by_label("Email").input_value() == front_desk.email
    shoot(page, "login-wrong-password")
