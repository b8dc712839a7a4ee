"""The navigation bar fits on one line wherever it is expanded, even for a user holding every staff role."""

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import login, shoot


@pytest.mark.parametrize("width", [1280])  # below 1200 px the links fold into the menu button
def test_navbar_fits_on_one_line_for_a_user_with_every_staff_role(page, practitioner_a, width):
    from django.contrib.auth.models import Group

    user = practitioner_a.user
    user.groups.add(*Group.objects.filter(name__in=["Front desk", "Clinic admin"]))
    login(page, user)  # a practitioner who also holds the other roles lands on the front desk
    page.set_viewport_size({"width": width, "height": 700})

    nav = page.get_by_role("navigation", name="Main")
    expect(page.get_by_role("button", name="Show menu")).to_be_hidden()
    links = [link.strip() for link in nav.get_by_role("link").all_inner_texts()]
    assert len(links) == len(set(links)), f"a link appears twice: {links}"
    for name in ("Front desk", "Patients", "My day", "Clinic settings", "Intake", "Account"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    box = nav.bounding_box()
    assert box["height"] < 70, f"the navbar wraps onto a second line at {width}px ({box['height']}px high)"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1280:
        shoot(page, "navbar-every-role", widths=("desktop",))
