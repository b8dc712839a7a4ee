"""The browser harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in tests/e2e is marked `e2e` and skipped, with the reason, when /usr/bin/chromium is absent
(CI installs it: see .ci/run). One browser per session, a fresh context (cookies, storage) per test.
`live_server` brings `transactional_db`, so rows made by factories are committed and the server sees
them. Helpers (login, shoot, check_a11y, visit) live in tests/e2e/harness.py.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.clinic.factories import LocationFactory, RoomFactory
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS, a11y_state, note_load, shoot
from tests.scheduling.factories import AppointmentTypeFactory, new_patient_exam_type, weekday_hours

HERE = Path(__file__).parent.resolve()


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists():
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class SharedBrowser:
    """One Chromium for the run of e2e tests, closed as soon as the last of them has finished.

    Playwright's sync API keeps an asyncio loop marked as running in this thread while it is started, and
    Django refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The factories and
    the live server's database flush need the ORM here, so the variable is set while the browser lives and
    removed with it: later tests (and `check --deploy`, which rejects the variable) never see it.
    """

    ENV = "DJANGO_ALLOW_ASYNC_UNSAFE"

    def __init__(self):
        self.playwright = None
        self.browser = None
        self.env_before = None

    def get(self):
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            self.env_before = os.environ.get(self.ENV)
            os.environ[self.ENV] = "true"
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self.browser

    def stop(self):
        if self.playwright is None:
            return
        try:
            if self.browser is not None:
                self.browser.close()
            self.playwright.stop()
        finally:
            self.browser = self.playwright = None
            if self.env_before is None:
                os.environ.pop(self.ENV, None)
            else:
                os.environ[self.ENV] = self.env_before


SHARED = SharedBrowser()


def is_e2e(item) -> bool:
    return item is not None and item.get_closest_marker("e2e") is not None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    # pytest-django runs live-server (transactional) tests together, so this is once per session.
    if is_e2e(item) and not is_e2e(nextitem):
        SHARED.stop()
    return result


def pytest_sessionfinish(session, exitstatus):
    SHARED.stop()  # after -x or Ctrl-C the last e2e test's teardown may not have run


@pytest.fixture
def browser():
    return SHARED.get()


def _new_context(browser, live_server, **options):
    # bypass_csp lets axe-core be injected: the app's CSP forbids inline and injected scripts.
    context = browser.new_context(
        **{
            "base_url": live_server.url,
            "viewport": DESKTOP,
            "bypass_csp": True,
            "locale": "en-US",
            # The browser sits in the clinic, so times any script shows are the clinic's.
            "timezone_id": settings.TIME_ZONE,
            # Bootstrap then skips its collapse/fade transitions: no waiting on animations.
            "reduced_motion": "reduce",
            **options,
        }
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def _watched_page(context) -> tuple:
    """A new tab and the list the browser's errors are collected in (script errors, CSP refusals, failed
    assets and htmx requests)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: script error: {exc}"))

    def on_console(msg):
        # Failed loads are reported with their URL by on_response; the console repeats them without it.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"{page.url}: console: {msg.text}")

    def on_response(response):
        # Pages answer their own status (visit() checks it); here the assets and htmx requests a page makes.
        # /favicon.ico is what browsers ask for unprompted (Django's admin has no icon link).
        request = response.request
        if response.status >= 400 and not request.is_navigation_request() and "/favicon.ico" not in request.url:
            errors.append(f"{page.url}: {response.status} for {request.method} {request.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("load", note_load)
    return page, errors


def _check_after(page, errors, request):
    # A JavaScript error or a resource the browser refused (CSP, missing asset) is a bug a user would meet.
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed and not page.is_closed():
        # What the browser showed when the journey failed, for whoever reads the CI log.
        shoot(page, f"FAILED-{request.node.name}", widths=("desktop",), a11y=False)
    if call is None or not call.passed:
        return  # the test's own failure is the news; the bookkeeping below would only add noise
    state = a11y_state(page)
    unchecked = [*state["missed"], *([state["pending"]] if state["pending"] else [])]
    assert not unchecked, f"axe-core was not run on these pages (call check_a11y or visit): {unchecked}"


@pytest.fixture
def context(browser, live_server):
    context = _new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context, request):
    """A fresh tab that also checks, when the test ends, that the browser reported no error and that
    axe-core ran on every page the journey loaded."""
    page, errors = _watched_page(context)
    yield page
    _check_after(page, errors, request)


@pytest.fixture
def another_browser(browser, live_server, request):
    """`another_browser()` opens a tab in a new context (no cookies: another device, or the same person
    coming back later), watched like `page`. Close the first one yourself if the journey "leaves".
    Keyword arguments go to Playwright's new_context: `another_browser(java_script_enabled=False)`."""
    opened = []

    def open_tab(**options):
        context = _new_context(browser, live_server, **options)
        page, errors = _watched_page(context)
        opened.append((context, page, errors))
        return page

    yield open_tab
    try:
        for _context, page, errors in opened:
            if not page.is_closed():
                _check_after(page, errors, request)
    finally:
        for context, _page, _errors in opened:
            context.close()


@pytest.fixture
def clinic_clock(context):
    """Set the clinic's clock for a journey: `clinic_clock(aware_datetime)`.

    The server (same process as the test: time-machine) and the browser's JavaScript clock both move to
    that moment and keep ticking from there, so waits and timeouts still work. Pick a moment in the
    future: the server dates cookies (CSRF) by its clock, and a date in the past could make the browser
    treat them as expired. Call it again later in the journey to move the clock on ("the next morning");
    sessions still expire by the server's clock, so a jump past CLINIC_SESSION_MAX_HOURS logs people out.
    """
    import time_machine

    travellers = []

    def set_clock(when):
        assert when.tzinfo is not None, "give an aware datetime (zoneinfo.ZoneInfo(settings.TIME_ZONE))"
        traveller = time_machine.travel(when, tick=True)
        traveller.start()
        if travellers:
            # Playwright's clock is installed once per context; later moves set its time.
            context.clock.set_system_time(when)
        else:
            context.clock.install(time=when)
        travellers.append(traveller)
        return when

    yield set_clock
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def clinic_open(db, practitioner_a, practitioner_b):
    """For the booking journeys: one location with two rooms; both practitioners work 08:00-17:00 on
    weekdays; a new-patient exam (60 minutes) and a follow-up are offered online."""
    location = LocationFactory(name="Harbour Street")
    RoomFactory(location=location, name="Room 1")
    RoomFactory(location=location, name="Room 2")
    new_patient_exam_type()
    AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment", duration=dt.timedelta(minutes=30))
    weekday_hours((practitioner_a, practitioner_b), location)
    return location
