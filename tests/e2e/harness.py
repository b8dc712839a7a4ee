"""Helpers the browser journeys share: login, screenshots, axe-core checks, visiting a page.

- `login(page, user)`: logs in through the real login page (the one place to change when staff
  two-factor arrives);
- `shoot(page, name)`: full-page screenshots at desktop (1280 px) and phone (390 px) width under
  tests/e2e/screenshots/ (git-ignored);
- `check_a11y(page)`: runs axe-core in the page and fails on any serious or critical violation;
- `visit(page, path)`: opens a path of the live server, checks the status, runs axe-core;
- `click_through(page, locator)`: clicks something that loads a page, waits, runs axe-core;
- `fill_person(scope, ...)`: types a name, date of birth and phone into the labelled fields of a person form;
- `fill_form(page, {label: value})`: fills labelled fields, choosing from a select where the field is one;
- `fill_care_plan_proposal(page, {label: value})`: from the chart, opens the care-plan proposal and fills it;
- `book_phase_one(page, plan, ...)`: books a care plan's phase 1 as a series from its plan page;
- `at(day, hour, minute)`: that time of day in the clinic's zone.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# How long one step may wait: a broken journey fails fast instead of hanging the run.
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = {"serious", "critical"}
ZONE = ZoneInfo(settings.TIME_ZONE)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` on `day` in the clinic's time zone."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def fill_form(scope, values: dict[str, str]) -> None:
    """Fill each field whose label is exactly `label` with its value, in order: a select has the option chosen,
    any other field is typed into."""
    for label, value in values.items():
        field = scope.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def fill_care_plan_proposal(page, values: dict[str, str]) -> None:
    """From a patient's chart, open Care plans, then "Propose a care plan", and fill the proposal (`fill_form`)."""
    click_through(page, page.get_by_role("link", name="Care plans"))
    click_through(page, page.get_by_role("link", name="Propose a care plan"))
    fill_form(page, values)


def book_phase_one(
    page, plan, *, per_week: int, weeks: int, weekdays: tuple[str, ...], first_date: str, booked: int
) -> None:
    """From the plan page, book the care plan's phase 1 as a series: the series page comes filled in with the
    phase's weeks and weekdays; choose the type, the first date (YYYY-MM-DD) and 10:00, check the times, book,
    and see the booked count on the plan's phase row."""
    from playwright.sync_api import expect

    click_through(page, page.get_by_role("link", name="Book phase 1"))
    expect(page.get_by_label("For how many weeks")).to_have_value(str(weeks))
    for weekday in weekdays:
        expect(page.get_by_label(weekday)).to_be_checked()
    page.get_by_label("Appointment type").select_option(label="SOT adjustment")
    page.get_by_label("First date").fill(first_date)
    page.get_by_label(re.compile(r"^\s*At\W*$")).fill("10:00")
    click_through(page, page.get_by_role("button", name="Check these times"))
    click_through(page, page.get_by_role("button", name="Book the series"))
    expect(page.get_by_role("status")).to_contain_text(f"Booked {booked} appointments.")
    visit(page, plan.get_absolute_url())
    phase_one = page.locator("tr", has_text=re.compile(rf"^\s*1 · {per_week}/week . {weeks}"))
    expect(phase_one.locator("td").first).to_have_text(str(booked))


def fill_person(scope, *, first: str, last: str, born: str, phone: str) -> None:
    """Type a person's first and last name, date of birth (YYYY-MM-DD) and phone into `scope`'s labelled fields
    (the page, or a fieldset such as the booking's "About you")."""
    scope.get_by_label("First name").fill(first)
    scope.get_by_label("Last name").fill(last)
    scope.get_by_label("Date of birth").fill(born)
    scope.get_by_label("Phone").fill(phone)


@functools.cache
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()  # the package ships axe-core's axe.min.js: nothing is fetched from the network


def check_a11y(page) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation."""
    a11y_state(page)["pending"] = None
    if page.evaluate("document.contentType") != "text/html":
        return  # JSON (/healthz), .ics downloads shown inline: nothing for axe-core to judge
    results = _axe().run(page).response
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url}"]
        for v in blocking:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"][:10]:
                target = ", ".join(map(str, node["target"]))
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    at {target}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def a11y_state(page) -> dict:
    """Which loaded pages axe-core has not checked yet: the `page` fixture fails a journey that skipped one.

    Every load (a link followed, a form posted) sets `pending`; check_a11y clears it; a load while one is
    still pending means that page was never checked.
    """
    if not hasattr(page, "_a11y_state"):
        page._a11y_state = {"pending": None, "missed": []}
    return page._a11y_state


def not_a_page(page, reason: str) -> None:
    """Say why the document just loaded is not checked by axe-core (an htmx fragment opened directly)."""
    assert reason
    a11y_state(page)["pending"] = None


def note_load(page) -> None:
    state = a11y_state(page)
    if state["pending"]:
        state["missed"].append(state["pending"])
    state["pending"] = page.url


def shoot(page, name: str, *, widths: tuple[str, ...] = ("desktop", "phone"), a11y: bool = True) -> list[Path]:
    """Save full-page screenshots of the current page at 1280 px and 390 px width; restore the viewport.

    axe-core runs at each width other than the current one (a phone layout can fail where the desktop
    one passes; the current width was checked by visit/click_through). `widths=("desktop",)` keeps a state
    that a resize would lose (focus inside the expanded navbar).
    """
    SCREENSHOTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    original = page.viewport_size or DESKTOP
    paths = []
    for label in widths:
        page.set_viewport_size({"desktop": DESKTOP, "phone": PHONE}[label])
        path = SCREENSHOTS / f"{safe}.{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
        if a11y:
            if page.viewport_size != original:
                check_a11y(page)
            # Wide content scrolls inside its own box (a calendar), never the whole page sideways.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {label} width (see {path.name})"
    page.set_viewport_size(original)
    return paths


def visit(page, path: str, *, status: int = 200, a11y: bool = True):
    """Open `path` on the live server, assert the HTTP status, run axe; return the response."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"GET {path}: {response.status}, expected {status}"
    if a11y:
        check_a11y(page)
    return response


def click_through(page, locator) -> None:
    """Click a link or submit button that loads a new page; wait for it and run axe-core on it."""
    with page.expect_navigation():
        locator.click()
    check_a11y(page)


TWO_FACTOR_PATH = "/accounts/2fa/authenticate/"


def second_factor_if_asked(page, *, keyboard: bool = False) -> None:
    """Answer the two-factor step when the login leads to it (staff accounts, once enrolled).

    The code is the one the authenticator enrolled by the factories shows now (`factories.totp_code`).
    """
    if TWO_FACTOR_PATH not in page.url:
        return
    from tests.clinic.factories import totp_code  # comes with staff two-factor

    field = page.locator("input[name=code]")
    if keyboard:
        field.focus()
        page.keyboard.type(totp_code())
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        field.fill(totp_code())
        with page.expect_navigation():
            field.press("Enter")
    check_a11y(page)
    assert TWO_FACTOR_PATH not in page.url, f"the two-factor code was refused: still on {page.url}"


def login(page, user, password: str | None = None) -> None:
    """Log `user` in through the real login form, the way a person does, and check it worked.

    The one place that knows how logging in looks, the two-factor step included.
    """
    from tests.clinic.factories import PASSWORD

    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    click_through(page, page.get_by_role("button", name="Sign in"))
    second_factor_if_asked(page)
    assert "/accounts/login/" not in page.url, f"login as {user.email} failed: still on {page.url}"
