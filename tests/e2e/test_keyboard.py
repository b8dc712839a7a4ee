"""Keyboard alone: skip link, navigation, login form; the navbar collapses on a phone and opens by keyboard."""

from playwright.sync_api import expect

from tests.clinic.factories import PASSWORD
from tests.e2e.harness import DESKTOP, PHONE, check_a11y, second_factor_if_asked, shoot, visit


def focused(page) -> str:
    """A short description of the focused element: its tag, then its accessible text or id."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const text = (el.getAttribute('aria-label') || el.innerText || el.id || '').trim();
            return `${el.tagName.toLowerCase()}:${text}`;
        }"""
    )


def assert_focus_is_visible(page):
    """The focused element shows a focus ring (outline or Bootstrap's box-shadow) and is on screen."""
    style = page.evaluate(
        """() => {
            const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
            return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                    shadow: s.boxShadow !== 'none', width: r.width, height: r.height,
                    inView: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth};
        }"""
    )
    assert style["outline"] or style["shadow"], f"no visible focus ring on {focused(page)}"
    assert style["width"] > 0 and style["height"] > 0 and style["inView"], f"{focused(page)} is focused off screen"


def tab_to(page, target: str, limit: int = 25) -> list[str]:
    """Press Tab until the focused element's description is `target`; return the stops on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        assert_focus_is_visible(page)
        if stops[-1] == target:
            return stops
    raise AssertionError(f"Tab never reached {target!r}; it went through {stops}")


def test_keyboard_only_from_home_page_to_logged_in(page, live_server, front_desk):
    visit(page, "/")

    page.keyboard.press("Tab")
    assert focused(page) == "a:Skip to main content"
    assert_focus_is_visible(page)
    shoot(page, "keyboard-skip-link")

    stops = tab_to(page, "a:Log in")
    assert stops[:3] == ["a:Harbour Street Chiropractic", "a:Book online", "a:Log in"], stops
    shoot(page, "keyboard-focus-in-navbar", widths=("desktop",))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_a11y(page)
    assert page.url == f"{live_server.url}/accounts/login/"

    # The skip link jumps over the navigation: the next Tab lands inside the main content.
    page.keyboard.press("Tab")
    assert focused(page) == "a:Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "a:sign up", focused(page)

    tab_to(page, "input:id_login")
    page.keyboard.type(front_desk.email)
    page.keyboard.press("Tab")
    assert focused(page) == "input:id_password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_a11y(page)
    second_factor_if_asked(page, keyboard=True)
    assert page.url == f"{live_server.url}/frontdesk/"
    assert page.title().startswith("Front desk")


def test_navbar_collapses_on_a_phone_and_opens_by_keyboard(page, live_server):
    page.set_viewport_size(PHONE)
    visit(page, "/")
    menu = page.locator("#main-nav")
    toggler = page.get_by_role("button", name="Show menu")
    expect(toggler).to_be_visible()
    expect(menu.get_by_role("link", name="Log in")).to_be_hidden()
    # Nothing sticks out sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    tab_to(page, "button:Show menu")
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Log in")).to_be_visible()
    check_a11y(page)
    shoot(page, "keyboard-navbar-open")

    tab_to(page, "a:Log in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_a11y(page)
    assert page.url == f"{live_server.url}/accounts/login/"


def test_navbar_is_expanded_on_a_desktop(page):
    page.set_viewport_size(DESKTOP)
    visit(page, "/")
    expect(page.get_by_role("button", name="Show menu")).to_be_hidden()
    expect(page.locator("#main-nav").get_by_role("link", name="Log in")).to_be_visible()
